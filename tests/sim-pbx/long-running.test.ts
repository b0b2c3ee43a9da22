import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { heapAfterGc } from '../helpers/heap.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { LOGIN, rawClient, waitFor, type RawClient } from './helpers.ts';

// sim/pbx also runs for as long as hookline does: `npm start` without a PBX loops the demo captures through it
// (demo/), and the engine pings it every 15 s. What it keeps must not grow with the calls and actions it sees.
const FIXTURES = join(import.meta.dirname, '../fixtures/ami');

let pbx: Pbx | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await pbx?.close();
  pbx = undefined;
});

async function loggedIn(p: Pbx): Promise<RawClient> {
  const c = await rawClient(p.port);
  clients.push(c);
  c.send(LOGIN);
  await c.until('Status: Fully Booted\r\n\r\n');
  return c;
}

describe('sim/pbx over a long run', () => {
  it('a channel event after its Hangup does not bring the channel back, so replayed calls leave no channel', async () => {
    // caco-inbound-queue-answered has NewConnectedLine for Local/…-00000015;1 after that channel's Hangup
    // (as recorded): each replay left one channel for CoreShowChannels, for good.
    pbx = await startPbx();
    await loggedIn(pbx);
    for (let i = 0; i < 20; i++) await pbx.replay(join(FIXTURES, 'caco-inbound-queue-answered.ami'), { rewrite: true });
    expect(pbx.channelCount()).toBe(0);
  });

  it('the hung-up channels it remembers do not keep the text they were read from', async () => {
    // A uniqueid read from a replay is a slice of the whole replayed text (V8 keeps a substring's parent): kept
    // as read among the 1,024 hung-up channels, each kept its replay's text.
    pbx = await startPbx();
    const filler = `Event: VarSet\r\nChannel: SIP/201-00000001\r\nVariable: PAD\r\nValue: ${'y'.repeat(1000)}\r\n\r\n`.repeat(256);
    const call = (i: number) => {
      const id = `1526651113.${String(i).padStart(5, '0')}`;
      return `${filler}Event: Newchannel\r\nChannel: SIP/201-${id}\r\nUniqueid: ${id}\r\nLinkedid: ${id}\r\n\r\nEvent: Hangup\r\nChannel: SIP/201-${id}\r\nUniqueid: ${id}\r\nLinkedid: ${id}\r\nCause: 16\r\n\r\n`;
    };
    await pbx.replay(call(0));
    const before = heapAfterGc();
    for (let i = 1; i <= 60; i++) await pbx.replay(call(i));
    expect(pbx.channelCount()).toBe(0);
    // 60 texts of ~260 KB would be ~15 MB
    expect(heapAfterGc() - before).toBeLessThan(3 * 1024 * 1024);
  });

  it('keeps the most recent actions only (maxActions, oldest dropped first)', async () => {
    pbx = await startPbx({ maxActions: 5 });
    const c = await loggedIn(pbx);
    for (let i = 1; i <= 12; i++) c.send(`Action: Ping\r\nActionID: p${i}\r\n\r\n`);
    await c.until('ActionID: p12\r\n');
    await waitFor(() => pbx?.actions.at(-1)?.action['ActionID'] === 'p12', 'the last Ping recorded');
    expect(pbx.actions.map((a) => a.action['ActionID'])).toEqual(['p8', 'p9', 'p10', 'p11', 'p12']);
  });
});
