import { Type } from '@sinclair/typebox';
import { CallFullSchema, CallStageSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { EXAMPLE_PHONE, exampleCallFullAtConversation } from '../examples.ts';

const input = Type.Object(
  {
    call_full: CallFullSchema,
    call_stage: CallStageSchema,
    phone: Type.String({ description: "the client's number, after the built-in automatic replacement rules" }),
  },
  { additionalProperties: false },
);
const output = Type.Object(
  { phone: Type.String({ minLength: 1, description: 'the number to look up and register in Kommo' }) },
  { additionalProperties: false },
);

export const process_client_phone = {
  name: 'process_client_phone',
  number: 2,
  summary: "Change the client's phone number before any CRM look-up (format, prefixes).",
  when: 'At every registered stage, before any CRM look-up; after the built-in automatic replacement rules.',
  input,
  output,
  readOnly: [],
  extraKeys: false,
  rejectNull: false,
  defaultData: (i) => ({ phone: i.phone }),
  defaultDescription: 'the input phone',
  limits: { ...DEFAULT_LIMITS },
  docs: 'Runs after the built-in replacement rules (config `phone.replacements`, e.g. 8XXXXXXXXXX → +7XXXXXXXXXX), so `phone` arrives normalised. Return the number hookline searches for and writes into Kommo; an empty string is a contract violation.',
  template: `// process_client_phone: change the client's number before hookline looks it up in Kommo.
export default function (input: HookInput): HookResult {
  let phone = input.phone;
  // Example: an international prefix "00" becomes "+".
  if (phone.startsWith('00')) phone = '+' + phone.slice(2);
  return { data: { phone }, state: 'success' };
}
`,
  exampleInput: { call_full: exampleCallFullAtConversation, call_stage: 'conversation_requested', phone: EXAMPLE_PHONE },
} satisfies HookContract<typeof input, typeof output>;
