import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { heapAfterGc } from '../helpers/heap.ts';
import { AmiParser } from '../../ami-wire/index.ts';
import { openOutbox } from '../../engine/outbox/index.ts';

// A header value the AMI parser hands out is a slice of the text of the whole chunk it was read in (V8 makes a
// substring of 13 characters or more a view of its parent), so keeping the value keeps the chunk: up to 64 KiB
// for a linkedid. The outbox remembers 50,000 finished linkedids, and a soak of 2,000 calls through the engine
// grew ~34 KB per call, the chunks of earlier calls held by `done` (and the tracker's `ended`).

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const CHUNK_KB = 256;

/** One chunk as the AMI client reads it: many events, one of them naming a call; its values as the parser gives them. */
function readCall(i: number): { linkedid: string; channel: string } {
  const filler = `Event: VarSet\r\nChannel: SIP/201-00000001\r\nVariable: PAD\r\nValue: ${'y'.repeat(1000)}\r\n\r\n`;
  const id = `1526651113.${String(i).padStart(5, '0')}`;
  const text = filler.repeat(CHUNK_KB) + `Event: Newchannel\r\nChannel: SIP/voipgrid-siproute-docker-${id}\r\nUniqueid: ${id}\r\nLinkedid: ${id}\r\n\r\n`;
  const m = new AmiParser().push(Buffer.from(text, 'latin1')).messages.find((x) => x['Event'] === 'Newchannel');
  return { linkedid: m?.['Linkedid'] as string, channel: m?.['Channel'] as string };
}


describe('outbox memory', () => {
  it('a remembered linkedid or a pending payload does not keep the AMI chunk its strings were read from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-outbox-mem-'));
    dirs.push(dir);
    const o = await openOutbox<{ phone: string; channel: string }>(dir, { fsync: false });
    await o.add('warm-up', { phone: '+1', channel: 'x' });
    await o.complete('warm-up', { ok: true });
    const before = heapAfterGc();
    const calls = 60;
    for (let i = 0; i < calls; i++) {
      const { linkedid, channel } = readCall(i);
      expect(linkedid).toMatch(/^1526651113\./);
      await o.add(linkedid, { phone: '+31150010001', channel });
      await o.step(linkedid, 'contact', { status: 'done', data: { channel } });
      // half finished (remembered in `done`), half still pending (kept in `jobs`)
      if (i % 2 === 0) await o.complete(linkedid, { ok: true });
    }
    const grown = heapAfterGc() - before;
    expect(o.depth()).toBe(calls / 2);
    expect(o.isDone(readCall(0).linkedid)).toBe(true);
    // 60 chunks of ~256 KB would be ~15 MB; the records themselves are a few KB.
    expect(grown).toBeLessThan(3 * 1024 * 1024);
    await o.close();
  });
});
