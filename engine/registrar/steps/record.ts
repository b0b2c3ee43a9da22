/** record: the recording link of the call (process_record_file_path runs inside the linker); and the call's duration. */
import { secondsBetween } from '../time.ts';
import { journal, prior, type Ctx } from './kit.ts';

const STEP = 'record';

export async function recordStep(c: Ctx): Promise<void> {
  const was = prior(c, STEP);
  if (was?.status === 'done') {
    c.cf.record = String((was.result as { url?: string | null } | undefined)?.url ?? '');
    return;
  }
  if (!c.call.recording || !c.d.recordings) return;
  const r = await c.d.recordings.linkFor({ path: c.call.recording, call_full: c.cf }, c.linkedid);
  c.cf.record = r.url ?? '';
  await journal(c, STEP, { status: 'done', result: { url: r.url } });
}

/** Seconds of the last answered conversation. */
export function callDuration(c: Ctx): number {
  const convs = Object.values(c.call.call_full.conversations).filter((x) => x.channel.was_answered);
  const last = convs.sort((a, b) => (a.channel.answer_time < b.channel.answer_time ? -1 : 1)).at(-1);
  return last ? secondsBetween(last.channel.answer_time, last.channel.end_time) : 0;
}
