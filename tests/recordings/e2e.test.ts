import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import type { HookInvoker } from '../../engine/hooks/index.ts';
import { createRecordings, recordingsCapabilities } from '../../engine/recordings/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';
import { createTestInvoker, startHost, type Host } from '../autodistribution/host.ts';
import { decodedSeconds, makeWav, probe } from './media.ts';

// The engine (registrar, outbox, hooks) → sim/kommo, with the recordings linker wired in as `npm start` wires
// it: a call log in sim/kommo carries a link to hookline's GET /recordings/…, which serves the MP3.
// The call is handed to the engine's registrar as the follower hands it over at call_ended, with `recording`
// set (e2e-capture.test.ts plays a recorded call over AMI instead).
let dir: string;
let monitor: string;
let h: Harness;
let host: Host;
let runner: Runner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-rec-e2e-'));
  monitor = join(dir, 'monitor');
  const dataDir = join(dir, 'data');
  mkdirSync(monitor, { recursive: true });
  runner = createRunner({ capabilities: recordingsCapabilities({ dir: monitor, dataDir }) });
  host = await startHost(runner, [createRecordings({ dir: monitor, dataDir, invoker: createTestInvoker(runner).invoker }).route]);
  // The linker runs the harness's hook invoker (the published script, else the default WAV → MP3).
  const recordings = (invoker: HookInvoker) => createRecordings({ dir: monitor, dataDir, publicBaseUrl: host.editor.url, invoker });
  h = await startHarness({ runner, defaultScripts: ['process_record_file_path'], engine: { recordings } });
});
afterAll(async () => {
  await h.close();
  await host.close();
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

async function register(linkedid: string, recording: string) {
  const call_full = { ...structuredClone(hooks.process_record_file_path.exampleInput.call_full), entity: null, record: '' };
  await h.engine.registrar.submit({ linkedid, phone: '+31260010001', direction: 'inbound', call_full, answeredBy: '101', lastUser: '101', recording });
  await h.engine.idle();
  return h.kommo.state().calls.find((c) => c.uniq === linkedid);
}

it("a recorded conversation's call log carries a link that serves the MP3, with range requests", async () => {
  const wav = join(monitor, 'in-101-1763633700.65.wav');
  makeWav(wav, 5);
  const call = await register('1763633700.65', wav);
  expect(call?.link).toMatch(new RegExp(`^${host.editor.url}/recordings/[^/]+/in-101-1763633700\\.65-[0-9a-f]{16}\\.mp3$`));
  const res = await fetch(call?.link as string);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('audio/mpeg');
  const mp3 = Buffer.from(await res.arrayBuffer());
  const copy = join(dir, 'from-kommo.mp3');
  writeFileSync(copy, mp3);
  expect(probe(copy)).toEqual({ format: 'mp3', codec: 'mp3' });
  expect(Math.abs(decodedSeconds(copy) - 5)).toBeLessThan(0.1);
  const part = await fetch(call?.link as string, { headers: { range: 'bytes=100-199' } });
  expect(part.status).toBe(206);
  expect(Buffer.from(await part.arrayBuffer()).equals(mp3.subarray(100, 200))).toBe(true);
});

it('a failing process_record_file_path links the original file, and the failure is recorded', async () => {
  await h.publish('process_record_file_path', `export default function (): HookResult { throw new Error('the NAS is down'); }`);
  const wav = join(monitor, 'in-102-1763633800.70.wav');
  makeWav(wav, 2);
  const call = await register('1763633800.70', wav);
  expect(call?.link).toMatch(/\/in-102-1763633800\.70\.wav$/);
  const res = await fetch(call?.link as string);
  expect(res.headers.get('content-type')).toBe('audio/wav');
  expect(Buffer.from(await res.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('RIFF');
  expect(h.store.failures('process_record_file_path')).toEqual([expect.objectContaining({ code: 'SCRIPT_ERROR', linkedid: '1763633800.70' })]);
});
