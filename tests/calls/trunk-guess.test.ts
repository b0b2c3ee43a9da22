/**
 * No trunk configured (issue 13): the tracker takes trunks from the traffic (an endpoint whose channels enter
 * an inbound context, or dialled with the outside number in its dial string), says once which endpoint and how
 * to configure it, and every demo capture gives the same calls as with the trunk named.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAmiText } from '../../ami-wire/index.ts';
import { checkConfig } from '../../config/index.ts';
import { trackerConfig } from '../../engine/index.ts';
import { closeMissing, initialState, track, type TrackerProblem, type TrackerState } from '../../engine/tracker/index.ts';

const DEMO = join(import.meta.dirname, '../../demo/captures');
const captures = readdirSync(DEMO).filter((f) => f.endsWith('.ami')).sort();

function tracker(raw: object): TrackerState {
  const loaded = checkConfig(raw, null);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return initialState(trackerConfig(loaded.value.config.pbx));
}

function play(state: TrackerState, file: string) {
  const calls: string[] = [];
  const problems: TrackerProblem[] = [];
  for (const ev of parseAmiText(readFileSync(join(DEMO, file), 'utf8'))) {
    const r = track(state, ev);
    state = r.state;
    problems.push(...r.problems);
    for (const e of r.emitted) if (e.stage === 'call_ended') calls.push(JSON.stringify(e.summary));
  }
  for (const e of closeMissing(state, new Set()).emitted) calls.push(JSON.stringify(e.summary));
  return { calls, problems };
}

const GUESSED = 'no trunk is configured: took SIP/voipgrid-siproute-docker for a trunk (its channels enter "voipgrid_in", named like an inbound context); to say so, set "pbx": {"trunks": ["SIP/voipgrid-siproute-docker"]} in the configuration';

describe('trunks guessed from the traffic when none is configured', () => {
  it(`has the demo captures to play (${captures.length})`, () => expect(captures.length).toBeGreaterThanOrEqual(11));

  for (const f of captures) {
    it(`${f}: the same calls with no configuration as with the trunk named`, () => {
      const guessed = play(tracker({}), f);
      const named = play(tracker({ pbx: { trunks: ['SIP/voipgrid-siproute-docker'] } }), f);
      expect(guessed.calls).toEqual(named.calls);
      expect(named.problems.filter((p) => p.code === 'TRACKER_TRUNK_GUESSED')).toEqual([]);
    });
  }

  it('says once, for the whole traffic, which endpoint it took and how to configure it', () => {
    let state = tracker({});
    const said: string[] = [];
    for (const f of captures) {
      const r = play(state, f);
      said.push(...r.problems.filter((p) => p.code === 'TRACKER_TRUNK_GUESSED').map((p) => p.message));
    }
    expect(said).toEqual([GUESSED]);
  });

  it('hookline calls says it on stderr, once', () => {
    const r = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'calls', 'demo/captures/caco-outbound-trunk-loopback-answered.ami'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('took SIP/voipgrid-siproute-docker for a trunk'))).toHaveLength(1);
    const calls = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { direction: string });
    expect(calls.map((c) => c.direction).sort()).toEqual(['inbound', 'outbound']);
  });

  it('a trunk whose context says nothing is taken from the outside number it calls from', () => {
    // caco-inbound-queue-answered with the trunk's context renamed to one that does not look inbound
    const state = tracker({});
    const evs = parseAmiText(readFileSync(join(DEMO, 'caco-inbound-queue-answered.ami'), 'utf8')).map((e) => (e.Context === 'voipgrid_in' ? { ...e, Context: 'voipgrid' } : e));
    const problems: string[] = [];
    let summary = '';
    for (const ev of evs) {
      const r = track(state, ev);
      problems.push(...r.problems.map((p) => p.message));
      for (const e of r.emitted) if (e.stage === 'call_ended') summary = JSON.stringify([e.summary.direction, e.summary.from, e.summary.to, e.summary.answered_by]);
    }
    expect(problems).toEqual(['no trunk is configured: took SIP/voipgrid-siproute-docker for a trunk (it placed a call from the outside number +31150010001); to say so, set "pbx": {"trunks": ["SIP/voipgrid-siproute-docker"]} in the configuration']);
    expect(summary).toBe(JSON.stringify(['inbound', '+31150010001', '+31150010004', '150010002']));
  });

  it('a phone the traffic tied to an extension is never taken for a trunk', () => {
    const state = tracker({});
    // 150010001 places a call as 201 (caco-internal-ringgroup-answered), then is rung with the DID in an inbound call
    play(state, 'caco-internal-ringgroup-answered.ami');
    play(state, 'caco-inbound-queue-blind-transfer.ami');
    expect([...state.guessed]).toEqual(['SIP/voipgrid-siproute-docker']);
  });
});
