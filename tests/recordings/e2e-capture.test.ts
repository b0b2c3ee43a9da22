import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HookInvoker } from '../../engine/hooks/index.ts';
import { createRecordings, recordingsCapabilities } from '../../engine/recordings/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';
import { createTestInvoker, startHost, type Host } from '../autodistribution/host.ts';
import { decodedSeconds, makeWav, probe } from './media.ts';

// From the wire to Kommo's player: sim/pbx plays a real inbound call recorded with MixMonitor (CallMe's
// development log: IVR, queue, answered by 777), the engine follows it and the registrar writes the call log;
// the log's link is hookline's own, and it serves the MP3 of the file MixMonitor wrote.
const SHARED = join(import.meta.dirname, '../../../shared/fixtures/ami');
const FIXTURE = join(SHARED, 'callme-inbound-ivr-queue-mixmonitor.ami');
const there = existsSync(FIXTURE);
const PBX_DIR = '/var/www/pbx-aseeva.vistep.ru/callme/records/wav';
const FILE = '2017/12/26/1514295827.372-2017-12-26-14_43-123-888999.wav';

let dir: string;
let h: Harness;
let host: Host;
let runner: Runner;

beforeAll(async () => {
  if (!there) return;
  dir = mkdtempSync(join(tmpdir(), 'hl-rec-wire-'));
  const monitor = join(dir, 'monitor');
  const dataDir = join(dir, 'data');
  mkdirSync(dirname(join(monitor, FILE)), { recursive: true });
  makeWav(join(monitor, FILE), 3);
  runner = createRunner({ capabilities: recordingsCapabilities({ dir: monitor, dataDir }) });
  host = await startHost(runner, [createRecordings({ dir: monitor, dataDir, invoker: createTestInvoker(runner).invoker }).route]);
  const recordings = (invoker: HookInvoker) => createRecordings({ dir: monitor, dataDir, pbxDir: PBX_DIR, publicBaseUrl: host.editor.url, invoker });
  h = await startHarness({ config: { pbx: { trunks: ['SIP/toOurAster'] } }, runner, defaultScripts: ['process_record_file_path'], engine: { recordings } });
});
afterAll(async () => {
  if (!there) return;
  await h.close();
  await host.close();
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

it.skipIf(!there)(`a recorded call played over AMI gets a call log whose link serves the MP3${there ? '' : ' (skipped: ../shared/fixtures/ami is not there)'}`, async () => {
  await h.play(FIXTURE);
  const calls = h.kommo.state().calls;
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ uniq: '1514295827.372', direction: 'inbound', phone: '123' });
  const link = calls[0]?.link ?? '';
  expect(link).toMatch(new RegExp(`^${host.editor.url}/recordings/[^/]+/1514295827\\.372-2017-12-26-14_43-123-888999-[0-9a-f]{16}\\.mp3$`));
  const res = await fetch(link);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('audio/mpeg');
  const copy = join(dir, 'played.mp3');
  writeFileSync(copy, Buffer.from(await res.arrayBuffer()));
  expect(probe(copy)).toEqual({ format: 'mp3', codec: 'mp3' });
  expect(Math.abs(decodedSeconds(copy) - 3)).toBeLessThan(0.1);
});

if (!there) console.warn(`tests/recordings/e2e-capture: ${SHARED} is absent: the capture test was SKIPPED`);
