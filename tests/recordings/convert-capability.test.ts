import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooks, type HookName } from '../../contracts/index.ts';
import { compile, createRunner, type Capabilities, type Runner } from '../../sandbox/index.ts';
import { decodedSeconds, makeWav, probe } from './media.ts';

// The convertToMp3 capability, through both runners the engine can use: the supervised child (default) and
// in-process. Each offers it to process_record_file_path alone.
let dir: string;
let recordings: string;
let cacheDir: string;
let caps: Capabilities;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hl-convert-'));
  recordings = join(dir, 'monitor');
  cacheDir = join(dir, 'data', 'recordings-mp3');
  mkdirSync(join(recordings, '2026', '11'), { recursive: true });
  makeWav(join(recordings, '2026', '11', 'in-101.wav'), 3);
  writeFileSync(join(dir, 'secret.wav'), 'RIFF not in the recordings folder');
  symlinkSync(join(dir, 'secret.wav'), join(recordings, 'escape.wav'));
  caps = { convertToMp3: { recordingsDir: recordings, cacheDir } };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The command lines of this machine's processes that name `text`, read from /proc (procps' ps is not on every machine). */
function commandLinesNaming(text: string): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const line = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0').join(' ');
      if (line.includes(text)) lines.push(line);
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}

const input = (path: string) => ({ ...structuredClone(hooks.process_record_file_path.exampleInput), path });

async function run(runner: Runner, hook: HookName, source: string, path: string, timeoutMs?: number) {
  const c = await compile(source, { hook });
  if (!c.ok) throw new Error(c.error.message);
  const i = hook === 'process_record_file_path' ? input(path) : structuredClone(hooks[hook].exampleInput);
  return runner.invoke(hook, { version: 1, compiled: c.compiled }, i, timeoutMs ? { limits: { timeoutMs } } : {});
}

const CONVERT = `export default async function (input: HookInput): Promise<HookResult> {
  return { data: { path: await convertToMp3(input.path) }, state: 'success' };
}`;

describe.each([['child'], ['in-process']] as const)('convertToMp3 in the %s runner', (isolation) => {
  let runner: Runner;
  beforeAll(() => {
    runner = createRunner({ isolation, capabilities: caps });
  });
  afterAll(() => runner.close());

  it('converts a WAV into the cache, an MP3 of the same length', async () => {
    const r = await run(runner, 'process_record_file_path', CONVERT, join(recordings, '2026', '11', 'in-101.wav'));
    expect(r.error).toBeNull();
    const out = (r.data as { path: string }).path;
    expect(out.startsWith(cacheDir)).toBe(true);
    expect(out).toMatch(/in-101-[0-9a-f]{16}\.mp3$/);
    expect(probe(out)).toEqual({ format: 'mp3', codec: 'mp3' });
    expect(Math.abs(decodedSeconds(out) - 3)).toBeLessThan(0.1);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('is not offered to any other hook', async () => {
    const r = await run(runner, 'process_client_phone', `export default async function (input: HookInput): Promise<HookResult> {
      // @ts-expect-error: not declared for this hook either
      await convertToMp3('/etc/passwd');
      return { data: { phone: input.phone }, state: 'success' };
    }`, '');
    expect(r.error?.code).toBe('SCRIPT_ERROR');
    expect(r.error?.message).toContain('convertToMp3 is not defined');
  });

  it.each([
    ['a file outside the recordings folder', () => join(dir, 'secret.wav'), 'is outside the recordings folder'],
    ['a symlink out of it', () => join(recordings, 'escape.wav'), 'is outside the recordings folder'],
    ['a traversal', () => join(recordings, '..', 'secret.wav'), 'is outside the recordings folder'],
    ['a missing file', () => join(recordings, 'nope.wav'), 'does not exist'],
  ])('refuses %s with an error the script can catch', async (_name, path, message) => {
    const r = await run(runner, 'process_record_file_path', `export default async function (input: HookInput): Promise<HookResult> {
      try { await convertToMp3(input.path); return { data: { path: 'converted' }, state: 'success' }; }
      catch (e) { return { data: { path: String((e as Error).message) }, state: 'success' }; }
    }`, path());
    expect(r.error).toBeNull();
    expect((r.data as { path: string }).path).toContain(message);
    expect((r.data as { path: string }).path).toMatch(/^convertToMp3: /);
  });
});

describe('a conversion past the timeout', () => {
  it('ends in TIMEOUT with the original path, its encoder killed and no half-written file left', async () => {
    const runner = createRunner({ capabilities: caps });
    try {
      // 90 s of 44.1 kHz stereo: lame or ffmpeg needs about a second for it; the hook gets 100 ms.
      const big = join(recordings, 'long.wav');
      makeWav(big, 90, { rate: 44_100, channels: 2 });
      const r = await run(runner, 'process_record_file_path', CONVERT, big, 100);
      expect(r.error?.code).toBe('TIMEOUT');
      expect(r.data).toEqual({ path: big });
      await new Promise((res) => setTimeout(res, 300));
      expect(readdirSync(cacheDir).filter((f) => f.startsWith('long-'))).toEqual([]);
      expect(commandLinesNaming(big)).toEqual([]);
      // With its time, the same file converts.
      const ok = await run(runner, 'process_record_file_path', CONVERT, big, 20_000);
      expect(ok.error).toBeNull();
      expect(Math.abs(decodedSeconds((ok.data as { path: string }).path) - 90)).toBeLessThan(0.2);
    } finally {
      await runner.close();
    }
  });

  it('a runner built without capabilities offers none', async () => {
    const runner = createRunner({ isolation: 'in-process' });
    try {
      const r = await run(runner, 'process_record_file_path', CONVERT, join(recordings, '2026', '11', 'in-101.wav'));
      expect(r.error?.message).toContain('convertToMp3 is not defined');
      expect(r.data).toEqual({ path: join(recordings, '2026', '11', 'in-101.wav') });
    } finally {
      await runner.close();
    }
  });
});
