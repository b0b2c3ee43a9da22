/**
 * The tracker's fixture suite again, but with every capture delivered by sim/pbx over real TCP to the engine's
 * AMI client: the same assertions must hold, which shows that the wire changes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../ami-wire/index.ts';
import { connectAmi } from '../../engine/ami/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';
import { FIXTURE_EXPECTATIONS } from '../tracker/fixture-expectations.ts';
import { differences, trackAll } from '../tracker/check-fixture.ts';

const REPO_DIR = join(import.meta.dirname, '../fixtures/ami');
const SHARED_DIR = join(import.meta.dirname, '../../../shared/fixtures/ami');
const sharedThere = existsSync(SHARED_DIR);

async function overTcp(capture: string): Promise<AmiMessage[]> {
  const pbx = await startPbx();
  const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, resyncOnConnect: false });
  const got: AmiMessage[] = [];
  ami.on('message', (m) => got.push(m));
  try {
    const ready = await ami.ready(5_000);
    if (!ready.ok) throw new Error(ready.error.message);
    const sent = await pbx.replay(capture, { pace: 'asap' });
    // FullyBooted and similar blocks of the capture are delivered too; wait until every block has arrived.
    const deadline = Date.now() + 10_000;
    while (got.filter((m) => m.Event !== 'FullyBooted').length < sent.blocks - countFullyBooted(capture) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return got;
  } finally {
    await ami.close();
    await pbx.close();
  }
}

const countFullyBooted = (text: string) => (text.match(/^Event: FullyBooted\r?$/gm) ?? []).length;

describe('every AMI fixture through sim/pbx over TCP', () => {
  for (const fx of FIXTURE_EXPECTATIONS) {
    const dir = fx.where === 'repo' ? REPO_DIR : SHARED_DIR;
    const skip = fx.where === 'shared' && !sharedThere;
    it.skipIf(skip)(`${fx.name}${skip ? ' (skipped: ../shared/fixtures/ami is not there)' : ''}`, async () => {
      const capture = readFileSync(join(dir, `${fx.name}.ami`), 'utf8');
      const events = await overTcp(capture);
      expect(differences(trackAll(events, fx), fx)).toEqual([]);
    });
  }
});

if (!sharedThere) console.warn(`tests/calls/fixtures-over-tcp: ${SHARED_DIR} is absent: the ${FIXTURE_EXPECTATIONS.filter((f) => f.where === 'shared').length} tests of the shared fixtures were SKIPPED (CI always has the folder)`);
