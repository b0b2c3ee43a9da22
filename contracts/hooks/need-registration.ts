import { Type } from '@sinclair/typebox';
import { CallFullSchema, CallStageSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { exampleCallFullAtConversation } from '../examples.ts';

const input = Type.Object({ call_full: CallFullSchema, call_stage: CallStageSchema }, { additionalProperties: false });
const output = Type.Object(
  { result: Type.Boolean({ description: 'true: register this stage of the call; false: ignore it' }) },
  { additionalProperties: false },
);

export const need_registration = {
  name: 'need_registration',
  number: 1,
  summary: 'Decide whether this stage of the call is registered at all (black/white lists by number, trunk, anything).',
  when: 'At every stage of every call, first; after the built-in black/white lists of extensions and trunks from the config.',
  input,
  output,
  readOnly: [],
  extraKeys: false,
  rejectNull: false,
  defaultData: () => ({ result: true }),
  defaultDescription: '`{result: true}` (after the built-in black/white lists)',
  limits: { ...DEFAULT_LIMITS },
  docs: 'Calls the built-in lists already rejected never reach this hook. Return `false` to skip registering this stage; `call_ended` decides whether the call log is written. When the script fails (throws, times out, breaks the contract, or is quarantined), the config\'s `hooks.need_registration.onFailure` decides: `"register"` (the default) goes on with the default data, `"skip"` registers nothing at that stage, so a filter never fails open.',
  template: `// need_registration: return false to leave this stage of the call out of Kommo.
const ignoredTrunks = ['PJSIP/test-trunk'];

export default function (input: HookInput): HookResult {
  const trunk = input.call_full.channel.trunk;
  const result = !(trunk && ignoredTrunks.includes(trunk.name));
  return { data: { result }, state: 'success' };
}
`,
  exampleInput: { call_full: exampleCallFullAtConversation, call_stage: 'conversation_accepted' },
} satisfies HookContract<typeof input, typeof output>;
