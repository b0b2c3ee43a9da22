/**
 * Which program converts recordings (sandbox/encoder.ts): a system lame, else a system ffmpeg, else the ffmpeg
 * of the npm package @ffmpeg-installer/ffmpeg, else none (linked as recorded). The PATH and the npm lookup are
 * handed in, so each machine is a temp folder of executables: nothing on this machine is changed or relied on.
 * Then each choice converts a real WAV, and `hookline start` says which one it uses.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertToMp3 } from '../../sandbox/capabilities.ts';
import { chooseMp3Encoder, describeMp3Encoder, npmFfmpegPath } from '../../sandbox/index.ts';
import { ffmpegPath } from '../helpers/binaries.ts';
import { decodedSeconds, makeWav, probe } from './media.ts';

let dir: string;
const NPM_FFMPEG = '/opt/npm-shipped/ffmpeg';
const noNpm = () => null;
const withNpm = () => NPM_FFMPEG;

/** A folder holding executables with these names (a shell script each, run by the conversion tests). */
function pathWith(name: string, programs: Record<string, string>): string {
  const d = join(dir, name);
  mkdirSync(d);
  for (const [file, script] of Object.entries(programs)) {
    writeFileSync(join(d, file), `#!/bin/sh\n${script}\n`);
    chmodSync(join(d, file), 0o755);
  }
  return d;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hl-encoder-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the choice', () => {
  it('a PATH with none of them and no npm package: none, and the start line says recordings are linked as WAV', () => {
    const e = chooseMp3Encoder({ path: pathWith('empty', {}), npmFfmpeg: noNpm });
    expect(e).toEqual({ source: 'none', lame: null, ffmpeg: null });
    expect(describeMp3Encoder(e)).toBe(
      'MP3 encoder: none (no lame or ffmpeg on the PATH, and the npm package @ffmpeg-installer/ffmpeg is not installed): recordings are linked as recorded (WAV)',
    );
  });

  it('a PATH with none of them: the npm-shipped ffmpeg', () => {
    const e = chooseMp3Encoder({ path: pathWith('none', {}), npmFfmpeg: withNpm });
    expect(e).toEqual({ source: 'npm ffmpeg', lame: null, ffmpeg: NPM_FFMPEG });
  });

  it('only lame: lame, with the npm-shipped ffmpeg for what lame refuses (or nothing without the package)', () => {
    const d = pathWith('only-lame', { lame: 'exit 0' });
    expect(chooseMp3Encoder({ path: d, npmFfmpeg: withNpm })).toEqual({ source: 'system lame', lame: join(d, 'lame'), ffmpeg: NPM_FFMPEG });
    expect(chooseMp3Encoder({ path: d, npmFfmpeg: noNpm })).toEqual({ source: 'system lame', lame: join(d, 'lame'), ffmpeg: null });
  });

  it('only ffmpeg: the system ffmpeg, before the npm-shipped one', () => {
    const d = pathWith('only-ffmpeg', { ffmpeg: 'exit 0' });
    expect(chooseMp3Encoder({ path: d, npmFfmpeg: withNpm })).toEqual({ source: 'system ffmpeg', lame: null, ffmpeg: join(d, 'ffmpeg') });
  });

  it('both, in different folders: lame, with the system ffmpeg for what it refuses; the first folder of the PATH wins', () => {
    const a = pathWith('a', { ffmpeg: 'exit 0' });
    const b = pathWith('b', { lame: 'exit 0', ffmpeg: 'exit 0' });
    expect(chooseMp3Encoder({ path: `${a}:${b}`, npmFfmpeg: withNpm })).toEqual({ source: 'system lame', lame: join(b, 'lame'), ffmpeg: join(a, 'ffmpeg') });
  });

  it('a lame that is not executable, a folder named lame, and relative PATH entries are passed over', () => {
    const d = pathWith('not-executable', {});
    writeFileSync(join(d, 'lame'), '#!/bin/sh\n', { mode: 0o644 });
    mkdirSync(join(d, 'ffmpeg'));
    pathWith('relative', { lame: 'exit 0' });
    expect(chooseMp3Encoder({ path: `${d}:relative:./relative:`, npmFfmpeg: noNpm }).source).toBe('none');
  });

  it('the npm package is installed here (an optionalDependency), and its ffmpeg runs', () => {
    const p = npmFfmpegPath();
    expect(p).toMatch(/node_modules\/@ffmpeg-installer\/[a-z0-9-]+\/ffmpeg$/);
    expect(chooseMp3Encoder({ path: pathWith('npm-real', {}) })).toEqual({ source: 'npm ffmpeg', lame: null, ffmpeg: p });
  });
});

describe('each choice converts', () => {
  let monitor: string;
  beforeAll(() => {
    monitor = join(dir, 'monitor');
    mkdirSync(monitor);
    makeWav(join(monitor, 'call.wav'), 2);
  });
  const convert = (name: string, encoder: Parameters<typeof convertToMp3>[1]['encoder']) =>
    convertToMp3(join(monitor, 'call.wav'), { recordingsDir: monitor, cacheDir: join(dir, `mp3-${name}`), encoder }, new AbortController().signal);

  it('the npm-shipped ffmpeg: an MP3 of the same length', async () => {
    const out = await convert('npm', { source: 'npm ffmpeg', lame: null, ffmpeg: ffmpegPath() });
    expect(probe(out)).toEqual({ format: 'mp3', codec: 'mp3' });
    expect(Math.abs(decodedSeconds(out) - 2)).toBeLessThan(0.1);
  });

  it('a lame that refuses the file: ffmpeg converts it', async () => {
    const d = pathWith('refusing', { lame: 'echo "not a PCM WAV" >&2; exit 1' });
    const out = await convert('refused', { source: 'system lame', lame: join(d, 'lame'), ffmpeg: ffmpegPath() });
    expect(probe(out)).toEqual({ format: 'mp3', codec: 'mp3' });
  });

  it('a lame that refuses the file, and no ffmpeg: lame\'s error', async () => {
    const d = pathWith('refusing-alone', { lame: 'echo "not a PCM WAV" >&2; exit 1' });
    await expect(convert('refused-alone', { source: 'system lame', lame: join(d, 'lame'), ffmpeg: null })).rejects.toThrow('lame exited with code 1: not a PCM WAV');
  });

  it('none: a plain error saying what to install', async () => {
    await expect(convert('none', { source: 'none', lame: null, ffmpeg: null })).rejects.toThrow(
      'there is no MP3 encoder on this machine (no lame or ffmpeg on the PATH, and the npm package @ffmpeg-installer/ffmpeg is not installed)',
    );
  });

  // The service prefers the system's lame: where the machine has one (this one may, a fresh one has not), its
  // arguments are checked here with the real program; elsewhere, the choice that machine makes.
  const here = chooseMp3Encoder();
  it(`the encoder the service chooses on this machine converts: ${here.source} (${here.lame ?? here.ffmpeg})`, async () => {
    const out = await convert('this-machine', here);
    expect(probe(out)).toEqual({ format: 'mp3', codec: 'mp3' });
    expect(Math.abs(decodedSeconds(out) - 2)).toBeLessThan(0.1);
  });
});

it('hookline start on a PATH with neither lame nor ffmpeg says it converts with the npm-shipped ffmpeg', async () => {
  const work = mkdtempSync(join(tmpdir(), 'hl-encoder-start-'));
  writeFileSync(join(work, 'hookline.config.json'), JSON.stringify({ dataDir: join(work, 'data'), editor: { port: 0 } }));
  const root = join(import.meta.dirname, '../..');
  const child = spawn(process.execPath, ['--no-node-snapshot', join(root, 'cli/main.ts'), 'start'], {
    cwd: work, env: { ...process.env, PATH: pathWith('start-path', {}) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/^Editor: /m.test(out)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`hookline start exited with ${code}: ${out}`)));
    });
    expect(out).toContain(`\nRecordings: MP3 encoder: ffmpeg of the npm package @ffmpeg-installer/ffmpeg (${npmFfmpegPath()}); neither lame nor ffmpeg is on the PATH\n`);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    rmSync(work, { recursive: true, force: true });
  }
}, 60_000);
