import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { header } from '../../ami-wire/index.ts';
import { connectAmi, type AmiClient } from '../../engine/ami/index.ts';
import { createClickToCall, type ClickToCall } from '../../engine/click-to-call/index.ts';
import { FIXTURES, startHarness, type Harness } from '../helpers/engine-harness.ts';

// The whole engine over loopback: the click-to-call request → Originate on sim/pbx → the call that follows
// (sim/pbx plays a real click-to-dial capture, rewritten as a fresh call, before its OriginateResponse, as
// Asterisk emits the originated call's events before it) → the engine follows it → a call log in sim/kommo.
const TOKEN = 'e2e-c2c-token';
let h: Harness;
let c2c: ClickToCall;
/** The test's own AMI session: it sees every OriginateResponse (the engine's parser skips events the tracker does not read). */
let observer: AmiClient;
const responses: Array<{ actionId: string | undefined; response: string | undefined }> = [];

beforeAll(async () => {
  h = await startHarness({ config: { users: { '201': 5_001_002 } } });
  observer = connectAmi({ host: h.pbx.host, port: h.pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, resyncOnConnect: false });
  observer.on('message', (m) => {
    if (header(m, 'Event') === 'OriginateResponse') responses.push({ actionId: header(m, 'ActionID'), response: header(m, 'Response') });
  });
  const ready = await observer.ready(5_000);
  if (!ready.ok) throw new Error(ready.error.message);
  c2c = createClickToCall({ ami: h.engine.ami, invoker: h.engine.hooks, token: TOKEN, users: { '201': 5_001_002 }, channel: 'SIP/{extension}', log: h.log });
});
afterAll(async () => {
  c2c.close();
  await observer.close();
  await h.close();
});

it('the originated call is followed and registered in Kommo as outbound', async () => {
  h.pbx.setOriginate(() => ({ response: 'Success', capture: join(FIXTURES, 'caco-originate-ctd-outbound-answered.ami') }));
  const r = await c2c.handle(`Bearer ${TOKEN}`, { number: '+31 26 001 0001', user_id: 5_001_002 });
  expect(r).toMatchObject({ ok: true, status: 200 });
  const actionId = r.ok ? r.actionId : '';
  expect(h.pbx.actions.find((a) => a.action['ActionID'] === actionId)?.action).toMatchObject({
    Action: 'Originate', Channel: 'SIP/201', Context: 'from-internal', Exten: '+31260010001', CallerID: '"+31260010001" <201>', Async: 'true',
  });
  // The OriginateResponse comes after the call's events: once it is logged, the engine has them all.
  for (let i = 0; i < 200 && !responses.some((x) => x.actionId === actionId); i++) await new Promise((res) => setTimeout(res, 25));
  expect(responses.find((x) => x.actionId === actionId)).toEqual({ actionId, response: 'Success' });
  await h.engine.follower.idle();
  h.engine.follower.finish();
  await h.engine.idle();
  const calls = h.kommo.state().calls;
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ direction: 'outbound', phone: '+31260010001', call_status: 4 });
  expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
});
