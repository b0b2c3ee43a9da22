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

/** Kept in step with sandbox/capabilities.ts convertToMp3 (what it accepts, where it writes, how it fails). */
const globals = `/**
 * Converts a recording to MP3 (Kommo's player plays MP3 only) with the PBX's encoder (lame, or ffmpeg) and
 * resolves with the MP3's path, in hookline's cache of converted recordings. Offered to process_record_file_path
 * only. The path must be inside the recordings folder (config recordings.dir); an MP3 is returned as it is; a
 * recording converted before is answered from the cache. Rejects with an Error saying what went wrong. The
 * conversion counts against this hook's timeout: past it the original file is linked.
 */
declare function convertToMp3(path: string): Promise<string>;`;

/**
 * What runs when no script is published and recordings.convertToMp3 is on (engine/recordings): a WAV becomes an
 * MP3; anything else, or a failed conversion (a failure, recorded), links the original.
 */
export const DEFAULT_RECORD_SCRIPT = `// The default of process_record_file_path: WAV → MP3, since Kommo's player plays MP3 only.
export default async function (input: HookInput): Promise<HookResult> {
  if (!/\\.wav$/i.test(input.path)) return { data: { path: input.path }, state: 'success' };
  return { data: { path: await convertToMp3(input.path) }, state: 'success' };
}
`;

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
  docs: "Kommo's player plays MP3 only; when no script is published, the default script converts WAV to MP3 with `await convertToMp3(path)`, a host capability offered to this hook alone (lame or ffmpeg on the PBX). Conversion is slow by nature, so this hook's timeout is 10 s; past it (or when the conversion fails) the original file is linked. The file to link must be inside the recordings folder or hookline's cache of converted files.",
  template: `// process_record_file_path: choose the recording file linked from Kommo.
// Without a published script hookline converts WAV to MP3: await convertToMp3(input.path) does it here too.
export default function (input: HookInput): HookResult {
  // Example: Asterisk writes .wav; a nightly job leaves an .mp3 beside it.
  const path = input.path.replace(/\\.wav$/, '.mp3');
  return { data: { path }, state: 'success' };
}
`,
  globals,
  exampleInput: { call_full: exampleCallFullAtConversation, path: '/var/spool/asterisk/monitor/2026/11/20/in-101-+79161234567-20261120-101500-1763633700.65.wav' },
} satisfies HookContract<typeof input, typeof output>;
