/**
 * The demo PBX over real TCP, followed by the engine's AMI client and call follower (as `hookline calls`
 * wires them): each replay is a fresh call at the current time, and the finished calls are what the
 * captures' metadata says happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoPbx, DEMO_PBX_SETTINGS, loadDemoCaptures, type DemoCallStarted, type DemoPbx } from '../../demo/index.ts';
import { connectAmi, type AmiClient } from '../../engine/ami/index.ts';
import { followCalls, type CallFollower, type FinishedCall } from '../../engine/calls/index.ts';
import { createMemoryLogger, silentLogger } from '../../log/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { defaultStages } from '../helpers/stages.ts';

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};
const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const captures = loadDemoCaptures();
const CAPTURES = captures.ok ? captures.value : [];
const FIRST = CAPTURES[0]!;

describe('startDemoPbx', () => {
  const memory = createMemoryLogger('info');
  const started: DemoCallStarted[] = [];
  const finished: FinishedCall[] = [];
  let demo: DemoPbx;
  let ami: AmiClient;
  let runner: Runner;
  let follower: CallFollower;
  let t0: number;

  beforeAll(async () => {
    t0 = Date.now();
    demo = await startDemoPbx({ paceMs: 1, log: memory.log, onCallStarted: (c) => started.push(c) });
    ami = connectAmi({ host: demo.host, port: demo.port, username: demo.credentials.username, secret: demo.credentials.secret, pingIntervalMs: 0 });
    runner = createRunner();
    follower = followCalls({
      ami,
      tracker: { trunks: DEMO_PBX_SETTINGS.trunks.map((t) => new RegExp(`^${escape(t)}(-|$)`)) },
      stages: defaultStages(runner),
      log: silentLogger,
      onCall: (c) => finished.push(c),
    });
    const ready = await ami.ready(5_000);
    if (!ready.ok) throw new Error(ready.error.message);
    // one whole loop of every capture, and the first capture a second time
    await until(() => started.length >= CAPTURES.length + 2, 30_000);
    await until(() => finished.some((f) => f.linkedid === started[CAPTURES.length]?.linkedids[0]), 10_000);
    await follower.idle();
  }, 60_000);

  afterAll(async () => {
    follower?.stop();
    await ami?.close();
    await demo?.stop();
    await runner?.close();
  });

  it('ships the eleven MIT captures with their metadata', () => {
    expect(captures.ok).toBe(true);
    expect(CAPTURES.map((c) => c.name).every((n) => n.startsWith('caco-'))).toBe(true);
    expect(CAPTURES).toHaveLength(11);
  });

  it('logs in with the credentials it returns (a random secret by default), on loopback', () => {
    expect(demo.host).toBe('127.0.0.1');
    expect(demo.credentials.username).toBe('hookline');
    expect(demo.credentials.secret.length).toBeGreaterThanOrEqual(12);
    expect(demo.callsStarted()).toBeGreaterThanOrEqual(CAPTURES.length + 1);
  });

  it('loops: two replays of the same capture are two calls with different linkedids', () => {
    const again = started[CAPTURES.length]!;
    expect(again.capture).toBe(FIRST.name);
    expect(again.linkedids[0]).not.toBe(started[0]!.linkedids[0]);
    expect(started[0]!.linkedids[0]).not.toBe(FIRST.linkedids[0]);
    const a = finished.find((f) => f.linkedid === started[0]!.linkedids[0]);
    const b = finished.find((f) => f.linkedid === again.linkedids[0]);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    // the same call both times, apart from ids and times
    expect({ ...b, linkedid: '', call_full: null, conversations: [] }).toEqual({ ...a, linkedid: '', call_full: null, conversations: [] });
  });

  it('stamps every call at the current time', () => {
    const toMs = (t: string) => Date.parse(`${t.replace(' ', 'T')}Z`);
    const ours = new Set(started.map((s) => s.linkedids[0]));
    const mine = finished.filter((f) => ours.has(f.linkedid));
    expect(mine.length).toBeGreaterThanOrEqual(CAPTURES.length);
    for (const f of mine) {
      expect(f.conversations.length, f.linkedid).toBeGreaterThan(0);
      for (const c of f.conversations) {
        // call_full times have second precision: allow one second either side
        expect(toMs(c.start_time), `${f.linkedid} start ${c.start_time}`).toBeGreaterThanOrEqual(t0 - 1000);
        expect(toMs(c.end_time), `${f.linkedid} end ${c.end_time}`).toBeLessThanOrEqual(Date.now() + 1000);
      }
      // the linkedid's epoch is moved to now as well
      const epoch = Number(/-(\d{10})\.\d+$/.exec(f.linkedid)?.[1]);
      expect(Math.abs(epoch * 1000 - t0)).toBeLessThan(60_000);
    }
  });

  it("finishes each call as its capture's metadata says (direction, answered)", () => {
    for (const s of started.slice(0, CAPTURES.length)) {
      const f = finished.find((x) => x.linkedid === s.linkedids[0]);
      expect(f, `${s.capture}: no finished call for ${s.linkedids[0]}`).toBeDefined();
      expect({ capture: s.capture, direction: f!.direction, answered: f!.answered }).toEqual({ capture: s.capture, direction: s.direction, answered: s.answered });
    }
  });

  it('logs each call it starts with its linkedid', () => {
    const lines = memory.lines().filter((l) => l.msg === 'demo call started');
    expect(lines.length).toBeGreaterThanOrEqual(CAPTURES.length);
    expect(lines[0]).toMatchObject({ module: 'demo', linkedid: started[0]!.linkedids[0], capture: FIRST.name });
  });
});

describe('startDemoPbx with nobody listening', () => {
  it('starts no call until a client logs in, and stop() ends it', async () => {
    const demo = await startDemoPbx({ paceMs: 1, log: silentLogger, credentials: { username: 'u', secret: 's' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(demo.callsStarted()).toBe(0);
    await demo.stop();
    const refused = await fetch(`http://${demo.host}:${demo.port}`).then(() => 'answered', () => 'refused');
    expect(refused).toBe('refused');
  });
});
