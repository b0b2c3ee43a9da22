/**
 * A call's events as an AMI capture: CRLF-framed blocks, `Event:` first, as tests/fixtures/ami and sim/pbx's
 * replay read them (no banner, no login: the replaying PBX sends its own). `hookline calls` replays it to the
 * same summary the story holds, since each event carries the time the tracker read (stamped on arrival when
 * Asterisk sent none).
 */
import type { AmiMessage } from '../ami-wire/index.ts';

export function toCapture(events: AmiMessage[]): string {
  const blocks: string[] = [];
  for (const m of events) {
    const lines: string[] = [];
    const event = m.Event;
    if (event !== undefined) for (const v of Array.isArray(event) ? event : [event]) lines.push(`Event: ${v}`);
    for (const [k, v] of Object.entries(m)) {
      if (k === 'Event') continue;
      for (const x of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${String(x).replace(/[\r\n]+/g, ' ')}`);
    }
    blocks.push(`${lines.join('\r\n')}\r\n\r\n`);
  }
  return blocks.join('');
}
