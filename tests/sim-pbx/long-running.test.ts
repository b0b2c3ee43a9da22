import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('keeps the most recent actions only (maxActions, oldest dropped first)', async () => {
    pbx = await startPbx({ maxActions: 5 });
    const c = await loggedIn(pbx);
    for (let i = 1; i <= 12; i++) c.send(`Action: Ping\r\nActionID: p${i}\r\n\r\n`);
    await c.until('ActionID: p12\r\n');
    await waitFor(() => pbx?.actions.at(-1)?.action['ActionID'] === 'p12', 'the last Ping recorded');
    expect(pbx.actions.map((a) => a.action['ActionID'])).toEqual(['p8', 'p9', 'p10', 'p11', 'p12']);
  });
});
