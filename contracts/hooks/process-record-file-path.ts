import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { exampleCallFullAtConversation } from '../examples.ts';

const input = Type.Object(
  {
    call_full: CallFullSchema,
    path: Type.String({ minLength: 1, description: 'the recording of the conversation, as Asterisk wrote it' }),
  },
  { additionalProperties: false },
);
const output = Type.Object(
  { path: Type.String({ minLength: 1, description: 'the file to link from Kommo (inside the recordings folder)' }) },
  { additionalProperties: false },
);

export const process_record_file_path = {
  name: 'process_record_file_path',
  number: 6,
  summary: 'Choose (or convert) the recording file linked from the call log in Kommo.',
  when: 'A conversation with a recording ends.',
  input,
  output,
  readOnly: [],
  extraKeys: false,
  rejectNull: false,
  defaultData: (i) => ({ path: i.path }),
  defaultDescription: 'the input path (the original file)',
  limits: { ...DEFAULT_LIMITS, timeoutMs: 10_000 },
  docs: "Kommo's player plays MP3 only; the default script converts WAV to MP3. Conversion is slow by nature, so this hook's timeout is 10 s; past it the original file is linked.",
  template: `// process_record_file_path: choose the recording file linked from Kommo.
export default function (input: HookInput): HookResult {
  // Example: Asterisk writes .wav; a nightly job leaves an .mp3 beside it.
  const path = input.path.replace(/\\.wav$/, '.mp3');
  return { data: { path }, state: 'success' };
}
`,
  exampleInput: { call_full: exampleCallFullAtConversation, path: '/var/spool/asterisk/monitor/2026/11/20/in-101-+79161234567-20261120-101500-1763633700.65.wav' },
} satisfies HookContract<typeof input, typeof output>;
