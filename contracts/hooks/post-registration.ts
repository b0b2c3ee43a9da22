import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { exampleCallFull } from '../examples.ts';

const input = Type.Object({ call_full: CallFullSchema }, { additionalProperties: false });

export const post_registration = {
  name: 'post_registration',
  number: 9,
  summary: 'Act after the call is logged (logging, checks); only `state` counts.',
  when: 'After the call log is written to Kommo.',
  input,
  output: null,
  readOnly: [],
  extraKeys: true,
  rejectNull: false,
  defaultData: () => null,
  defaultDescription: '—',
  limits: { ...DEFAULT_LIMITS },
  docs: 'Return `{ state: "success" }`; any `data` is ignored. A failure is recorded and counted, nothing else.',
  template: `// post_registration: runs after the call is logged; only state counts.
export default function (input: HookInput): HookResult {
  const call = input.call_full;
  if (call.result !== 200) console.warn('missed call', call.channel.from.number);
  return { state: 'success' };
}
`,
  exampleInput: { call_full: exampleCallFull },
} satisfies HookContract<typeof input, null>;
