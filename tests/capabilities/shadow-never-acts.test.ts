/**
 * Issues 17 and 19 together: a shadow run of a draft (app/shadow-runs.ts shadowExecute, the one function every
 * shadow invocation goes through) answers its capability calls from the live invocation's recorded calls and
 * never carries them out: its webhook is listed as would-send, its read gets the live answer, and the receiver
 * sees only the live invocation's requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shadowExecute } from '../../app/index.ts';
import { createCapabilities, type CapabilityHost } from '../../capabilities/index.ts';
import { hooks } from '../../contracts/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { script } from '../sandbox/helpers.ts';
import { invokeWith, outOf, postScript, startReceiver, type Receiver } from './helpers.ts';

let runner: Runner;
let receiver: Receiver;
let caps: CapabilityHost;
let served = 0;

beforeAll(async () => {
  runner = createRunner();
  receiver = await startReceiver({
    '/config': (_q, res) => {
      served++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ channel: `#calls-${served}` }));
    },
  });
  caps = createCapabilities({ hooks: { post_registration: { fetch: { allow: [`${receiver.base}/*`], timeoutMs: 2_000 } } } });
});
afterAll(async () => {
  await runner.close();
  await receiver.close();
});

const SOURCE = (tag: string) =>
  postScript(`const cfg = await (await fetch('${receiver.base}/config')).json(); await fetch('${receiver.base}/notify', { method: 'POST', body: JSON.stringify({ channel: cfg.channel, tag: '${tag}' }) }); return cfg.channel;`);

describe('a shadow run never acts', () => {
  it("answers the draft's read from the live call's, lists its webhook as would-send, and sends nothing", async () => {
    const live = await invokeWith(runner, caps, 'post_registration', SOURCE('live'));
    expect(live.r.ok).toBe(true);
    expect(outOf(live.r)).toBe('#calls-1');
    const before = receiver.received.length;
    expect(before).toBe(2);

    const execute = shadowExecute(runner, caps);
    const shadow = await execute('post_registration', await script('post_registration', SOURCE('shadow')), structuredClone(hooks.post_registration.exampleInput), { linkedid: 'test.1', limits: { timeoutMs: 2_000 } }, live.session.calls());
    expect(shadow.ok).toBe(true);
    expect(outOf(shadow)).toBe('#calls-1'); // the live answer, not a new read (that would be #calls-2)
    expect(shadow.wouldSend).toEqual([expect.objectContaining({ kind: 'fetch', method: 'POST', target: `${receiver.base}/notify`, body: JSON.stringify({ channel: '#calls-1', tag: 'shadow' }) })]);
    expect(receiver.received.length).toBe(before);
    expect(served).toBe(1);
  }, 20_000);
});
