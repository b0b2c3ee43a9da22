import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAmiText } from '../../ami-wire/index.ts';
import { createRecordings, recordingsCapabilities } from '../../engine/recordings/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { runToEnd } from '../tracker/run.ts';
import { createTestInvoker } from '../autodistribution/host.ts';
import { decodedSeconds, makeWav } from './media.ts';

// "Recordings missing for calls started from the CRM": a click-to-call (Originate) recorded with MixMonitor,
// as Wazo's CEL test data has it. The tracker reads the recording of the originated call, and the linker
// links it (Asterisk's folder name mapped onto the test's folder with recordings.pbxDir).
const SHARED = join(import.meta.dirname, '../../../shared/fixtures/ami');
const FIXTURE = join(SHARED, 'wazo-cel-originate-recorded.ami');
const there = existsSync(FIXTURE);
const PBX_DIR = '/var/lib/wazo/sounds/tenants/2c34c282-433e-4bb8-8d56-fec14ff7e1e9/monitor';

let dir: string;
let runner: Runner;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hl-rec-orig-'));
  runner = createRunner({ isolation: 'in-process', capabilities: recordingsCapabilities({ dir: join(dir, 'monitor'), dataDir: join(dir, 'data') }) });
});
afterAll(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

it.skipIf(!there)(`an originated, recorded call gets its recording linked as MP3${there ? '' : ' (skipped: ../shared/fixtures/ami is not there)'}`, async () => {
  const r = runToEnd(parseAmiText(readFileSync(FIXTURE, 'utf8')));
  const ended = r.emitted.find((e) => e.stage === 'call_ended');
  const recording = ended?.call.record ?? '';
  expect(recording).toBe(`${PBX_DIR}/8976fcad-0233-4755-b28e-8e3845b0959e.wav`);

  // The file MixMonitor wrote: 12 s, as the fixture's recording ran from 13:19:02.98 to 13:19:15.12.
  const local = join(dir, 'monitor', '8976fcad-0233-4755-b28e-8e3845b0959e.wav');
  mkdirSync(dirname(local), { recursive: true });
  makeWav(local, 12);
  const { invoker } = createTestInvoker(runner, undefined, { defaultScripts: ['process_record_file_path'] });
  const recordings = createRecordings({ dir: join(dir, 'monitor'), dataDir: join(dir, 'data'), pbxDir: PBX_DIR, publicBaseUrl: 'https://pbx.example.com:8080', invoker });
  if (!ended) throw new Error('the capture has no call_ended');
  const link = await recordings.linkFor({ path: recording, call_full: ended.call }, ended.linkedid);
  expect(link).toMatchObject({ converted: true });
  expect(link.url).toMatch(/^https:\/\/pbx\.example\.com:8080\/recordings\/[^/]+\/8976fcad-0233-4755-b28e-8e3845b0959e-[0-9a-f]{16}\.mp3$/);
  expect(Math.abs(decodedSeconds(link.file as string) - 12)).toBeLessThan(0.1);
});

if (!there) console.warn(`tests/recordings/originated: ${SHARED} is absent: the originated-recording test was SKIPPED`);
