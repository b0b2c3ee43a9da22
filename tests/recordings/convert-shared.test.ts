/**
 * Conversions of the same recording asked for at once (several calls' scripts, a replay of captured inputs)
 * run one encoder and share its MP3: they used to run one encoder each, all writing temp files named by the
 * millisecond (two in the same millisecond wrote into the same file, and the result was cached for good).
 * And no more than two encoders run at once, however the requests interleave.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { compile, createRunner, type Runner } from '../../sandbox/index.ts';

let dir: string;
let log: string;
let runner: Runner;

const CONVERT = `export default async function (input: HookInput): Promise<HookResult> {
  return { data: { path: await convertToMp3(input.path) }, state: 'success' };
}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hl-convert-shared-'));
  log = join(dir, 'encoder.log');
  const lame = join(dir, 'fake-lame');
  // a slow encoder that notes when it starts and ends: the last two arguments are the input and the output
  writeFileSync(lame, `#!/bin/sh\nfor a; do in="$out"; out="$a"; done\necho "start $in" >> ${log}\nsleep 0.3\ncp "$in" "$out"\necho "end $in" >> ${log}\n`);
  chmodSync(lame, 0o755);
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, `r${i}.wav`), `RIFF recording ${i}`);
  writeFileSync(join(dir, 'r0-copy.wav'), 'RIFF recording 0 copy');
  runner = createRunner({ isolation: 'in-process', capabilities: { convertToMp3: { recordingsDir: dir, cacheDir: join(dir, 'mp3'), encoder: { source: 'system lame', lame, ffmpeg: null } } } });
});
afterAll(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

async function convert(path: string, timeoutMs?: number, version = 1) {
  const c = await compile(`${CONVERT}\n// v${version}`, { hook: 'process_record_file_path' });
  if (!c.ok) throw new Error(c.error.message);
  const input = { ...structuredClone(hooks.process_record_file_path.exampleInput), path };
  const r = await runner.invoke('process_record_file_path', { version, compiled: c.compiled }, input, timeoutMs ? { limits: { timeoutMs } } : {});
  if (r.error) throw new Error(`${r.error.code}: ${r.error.message}`);
  return (r.data as { path: string }).path;
}

const lines = () => readFileSync(log, 'utf8').trim().split('\n');

describe('convertToMp3 asked for at once', () => {
  it('runs one encoder for the same recording and gives every caller its MP3', async () => {
    writeFileSync(log, '');
    const paths = await Promise.all([0, 1, 2, 3].map(() => convert(join(dir, 'r0.wav'))));
    expect(new Set(paths).size).toBe(1);
    expect(readFileSync(paths[0] as string, 'utf8')).toBe('RIFF recording 0');
    expect(lines().filter((l) => l.startsWith('start'))).toHaveLength(1);
  });

  it('never runs more than two encoders at once', async () => {
    writeFileSync(log, '');
    await Promise.all([1, 2, 3, 4, 5].map((i) => convert(join(dir, `r${i}.wav`))));
    let running = 0;
    let most = 0;
    for (const l of lines()) {
      running += l.startsWith('start') ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(lines()).toHaveLength(10);
    expect(most).toBe(2);
  });

  it('converts on its own when the invocation whose encoder it waited for ends first', async () => {
    writeFileSync(log, '');
    const first = convert(join(dir, 'r0-copy.wav'), 100);
    await new Promise((r) => setTimeout(r, 30));
    // another script (its own isolate: a timeout ends the isolate of the script that ran out of time)
    const second = convert(join(dir, 'r0-copy.wav'), undefined, 2);
    await expect(first).rejects.toThrow(/TIMEOUT/);
    expect(readFileSync(await second, 'utf8')).toBe('RIFF recording 0 copy');
    expect(lines().filter((l) => l.startsWith('start'))).toHaveLength(2);
  });
});
