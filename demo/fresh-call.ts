/**
 * One replay of a capture as a fresh call at the current time: sim/pbx's rewriteCapture gives new linkedids,
 * uniqueids, bridge ids and channel names (ids moved to now); the recorder's FullyBooted blocks are dropped;
 * each block gets a `Timestamp:` when it is sent, as Asterisk writes with `timestampevents = yes`.
 */
import { rewriteCapture, type RewriteCounters } from '../sim/pbx/index.ts';

export interface FreshCall {
  /** The call's blocks, each ending with the empty line, without a Timestamp yet. */
  blocks: string[];
  /** Original linkedid -> this replay's linkedid. */
  linkedids: Map<string, string>;
}

const LINKEDID = /(?:^|\r\n)Linkedid: ([^\r\n]+)/g;
const EVENT = /^Event: ([^\r\n]*)/;

export function freshCall(text: string, counters: RewriteCounters, nowSec: number): FreshCall {
  const rewritten = rewriteCapture(text, counters, nowSec);
  // rewriteCapture replaces ids in place, so the n-th Linkedid header of the rewrite is the n-th of the original
  const before = [...text.matchAll(LINKEDID)].map((m) => m[1]!);
  const after = [...rewritten.matchAll(LINKEDID)].map((m) => m[1]!);
  const linkedids = new Map<string, string>();
  before.forEach((id, i) => {
    if (!linkedids.has(id) && after[i] !== undefined) linkedids.set(id, after[i]!);
  });
  const blocks = rewritten
    .split('\r\n\r\n')
    .filter((b) => b.trim() !== '' && EVENT.exec(b.replace(/^\r\n/, ''))?.[1] !== 'FullyBooted')
    .map((b) => `${b.replace(/^(\r\n)+/, '')}\r\n\r\n`);
  return { blocks, linkedids };
}

/** The block with `Timestamp: <epoch>.<µs>` after its Privilege line (where Asterisk puts it), else after Event; any Timestamp it had is replaced. */
export function stampBlock(block: string, nowMs: number): string {
  const line = `Timestamp: ${(nowMs / 1000).toFixed(6)}\r\n`;
  // a capture that has its own Timestamp (rewritten to now by rewriteCapture) gets the send time instead
  const lines = block.split('\r\n').filter((l) => !l.startsWith('Timestamp: '));
  let at = lines.findIndex((l) => l.startsWith('Privilege: '));
  if (at === -1) at = lines.findIndex((l) => l.startsWith('Event: '));
  if (at === -1) return line + block;
  lines.splice(at + 1, 0, line.slice(0, -2));
  return lines.join('\r\n');
}
