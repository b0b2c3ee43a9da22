/**
 * The second set of real scenarios (issue 13): every call of expected-calls.json as `hookline calls` must print
 * it (every non-null field), with the configuration a PBX owner would give, once from the event arrays through
 * `track` and once with the capture delivered by sim/pbx over TCP. The 13 cacofonisk captures (MIT) ship in
 * tests/fixtures/ami/unseen with the caco part of expected-calls.json; the 13 wazo-call-logd CEL tables (GPL)
 * stay in ../shared and are skipped, saying so, when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAmiText, type AmiMessage } from '../../ami-wire/index.ts';
import { checkConfig } from '../../config/index.ts';
import { connectAmi } from '../../engine/ami/index.ts';
import { trackerConfig } from '../../engine/index.ts';
import { closeMissing, initialState, track, type StageEvent } from '../../engine/tracker/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';

const ROOT = join(import.meta.dirname, '../..');
const REPO_DIR = join(ROOT, 'tests/fixtures/ami/unseen');
const SHARED_DIR = join(ROOT, '../shared/fixtures/ami');
const sharedThere = existsSync(join(SHARED_DIR, 'expected-calls.json'));

interface ExpectedCall {
  linkedid: string;
  direction: string | null;
  from: string | null;
  to: string | null;
  answered: boolean | null;
  answered_by: string | null;
  conversations: number | null;
}
interface ExpectedFixture {
  fixture: string;
  calls: ExpectedCall[];
}

const load = (dir: string) => JSON.parse(readFileSync(join(dir, 'expected-calls.json'), 'utf8')) as ExpectedFixture[];
const local = load(REPO_DIR);
const all = sharedThere ? load(SHARED_DIR) : local;

/** The configuration each group needs (../shared/fixtures/ami/README.md, second set), as a configuration file says it. */
function configFor(fixture: string) {
  const raw = fixture.startsWith('caco-')
    ? { pbx: { trunks: ['SIP/voipgrid-siproute-docker'] } }
    : { pbx: { inboundContexts: ['from-extern', 'default-key-4wfgx-from-extern'] } };
  const loaded = checkConfig(raw, null);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return trackerConfig(loaded.value.config.pbx);
}

function trackEvents(fixture: string, evs: AmiMessage[]): StageEvent[] {
  let state = initialState(configFor(fixture));
  const out: StageEvent[] = [];
  for (const ev of evs) {
    const r = track(state, ev);
    state = r.state;
    out.push(...r.emitted);
  }
  // whole-call captures: every call ends on its own; closeMissing only shows what would be left
  return [...out, ...closeMissing(state, new Set()).emitted];
}

/** What differs from the expectation: the calls finished (one per linkedid listed, no other) and every non-null field. */
function expectedCallDifferences(emitted: StageEvent[], fx: ExpectedFixture): string[] {
  const diffs: string[] = [];
  const ends = emitted.filter((e) => e.stage === 'call_ended');
  const got = ends.map((e) => e.linkedid).sort();
  const want = fx.calls.map((c) => c.linkedid).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) diffs.push(`calls ${got.join(',')} != ${want.join(',')}`);
  for (const c of fx.calls) {
    const end = ends.find((e) => e.linkedid === c.linkedid);
    if (!end) continue;
    const s = end.summary;
    const mine: Record<string, unknown> = { direction: s.direction, from: s.from, to: s.to, answered: s.answered, answered_by: s.answered_by, conversations: s.conversations.length };
    for (const k of ['direction', 'from', 'to', 'answered', 'answered_by', 'conversations'] as const) {
      if (c[k] !== null && mine[k] !== c[k]) diffs.push(`${c.linkedid}: ${k} ${JSON.stringify(mine[k])}, expected ${JSON.stringify(c[k])}`);
    }
    if (end.call.channel.extra.hookline_closed_by) diffs.push(`${c.linkedid}: closed by resync, not by its own events`);
  }
  return diffs;
}

async function overTcp(capture: string): Promise<AmiMessage[]> {
  const pbx = await startPbx();
  const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, resyncOnConnect: false });
  const got: AmiMessage[] = [];
  ami.on('message', (m) => got.push(m));
  try {
    const ready = await ami.ready(5_000);
    if (!ready.ok) throw new Error(ready.error.message);
    const sent = await pbx.replay(capture, { pace: 'asap' });
    const booted = (capture.match(/^Event: FullyBooted\r?$/gm) ?? []).length;
    const deadline = Date.now() + 10_000;
    while (got.filter((m) => m.Event !== 'FullyBooted').length < sent.blocks - booted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return got;
  } finally {
    await ami.close();
    await pbx.close();
  }
}

function where(fixture: string): { dir: string; skip: string } {
  if (fixture.startsWith('caco-')) return { dir: REPO_DIR, skip: '' };
  return { dir: SHARED_DIR, skip: sharedThere ? '' : ' (skipped: ../shared/fixtures/ami is not there)' };
}

describe('expected-calls.json: every call as hookline calls must print it', () => {
  it('covers the 26 scenarios (13 shipped here, 13 in ../shared)', () => {
    expect(local).toHaveLength(13);
    if (sharedThere) {
      expect(all).toHaveLength(26);
      // the shipped copy is the caco part of the shared file
      expect(local).toEqual(all.filter((f) => f.fixture.startsWith('caco-')));
    }
  });

  for (const fx of all) {
    const { dir, skip } = where(fx.fixture);
    it.skipIf(skip !== '')(`${fx.fixture}: from the event array through track${skip}`, () => {
      const evs = parseAmiText(readFileSync(join(dir, `${fx.fixture}.ami`), 'utf8'));
      expect(expectedCallDifferences(trackEvents(fx.fixture, evs), fx)).toEqual([]);
    });
    it.skipIf(skip !== '')(`${fx.fixture}: delivered by sim/pbx over TCP${skip}`, async () => {
      const evs = await overTcp(readFileSync(join(dir, `${fx.fixture}.ami`), 'utf8'));
      expect(expectedCallDifferences(trackEvents(fx.fixture, evs), fx)).toEqual([]);
    });
  }
});

if (!sharedThere) console.warn(`tests/calls/expected-calls: ${SHARED_DIR} is absent: the wazo-cel-* scenarios were SKIPPED (13 cacofonisk ones ran from tests/fixtures/ami/unseen)`);
