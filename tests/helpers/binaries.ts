/**
 * The programs the tests drive, taken from npm packages that ship them (devDependencies), so that `npm install`
 * then `npm test` needs nothing from the system: a headless chromium (@sparticuz/chromium, under
 * playwright-core), ffmpeg (@ffmpeg-installer/ffmpeg, also the service's own fallback encoder) and ffprobe
 * (@ffprobe-installer/ffprobe), all static builds. The system's program is used only when its package is not
 * installed. Every test that runs one of these programs gets its path here, and nowhere else.
 *
 * The service's own encoder is another matter: it prefers the system's lame or ffmpeg (sandbox/encoder.ts), so
 * the recording tests that go through the service convert with what this machine has, lame included.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnPath, npmFfmpegPath } from '../../sandbox/index.ts';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

/** The program `name` on this machine's PATH, or null. */
function systemProgram(name: 'lame' | 'ffmpeg' | 'ffprobe' | 'chromium'): string | null {
  return findOnPath(name, process.env.PATH);
}

function npmOrSystem(name: 'ffmpeg' | 'ffprobe', npm: () => string | null, pkg: string): string {
  const path = npm() ?? systemProgram(name);
  if (!path) throw new Error(`the tests need ${name}: the npm package ${pkg} (a devDependency: run npm install) is not installed, and there is no ${name} on the PATH`);
  return path;
}

let ffmpegCached: string | undefined;
/** ffmpeg: the npm package @ffmpeg-installer/ffmpeg's static build (the same the service falls back to). */
export function ffmpegPath(): string {
  ffmpegCached ??= npmOrSystem('ffmpeg', npmFfmpegPath, '@ffmpeg-installer/ffmpeg');
  return ffmpegCached;
}

let ffprobeCached: string | undefined;
/** ffprobe: the npm package @ffprobe-installer/ffprobe's static build. */
export function ffprobePath(): string {
  ffprobeCached ??= npmOrSystem('ffprobe', () => {
    try {
      return (require('@ffprobe-installer/ffprobe') as { path: string }).path;
    } catch {
      return null;
    }
  }, '@ffprobe-installer/ffprobe');
  return ffprobeCached;
}

/** What playwright-core's chromium.launch() needs: the browser's path and its flags (headless). */
export interface ChromiumLaunch {
  executablePath: string;
  args: string[];
  headless: true;
}

/**
 * Flags every test browser gets: nothing reaches out of the machine on its own; and an explicit language, since
 * under LANG=C.UTF-8 (a container's default) @sparticuz/chromium reports navigator.language as "en-US@posix",
 * which Intl refuses (the editor page then stops at "Invalid language tag").
 */
const QUIET = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--lang=en-US'];

/**
 * @sparticuz/chromium ships chromium brotli-compressed; its executablePath() unpacks it into os.tmpdir(), and
 * answers with any `chromium` already there, whoever put it there and whatever its version. So it is unpacked
 * here in a child whose TMPDIR is a fresh folder, renamed into node_modules/.cache once complete: a half-written
 * browser is never used, two test files starting at once each unpack and the first rename wins, and another
 * checkout's version under /tmp is never picked up.
 */
function unpackSparticuz(entry: string): string {
  const pkgDir = resolve(dirname(entry), '..');
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const cache = join(root, 'node_modules', '.cache', 'hookline', `sparticuz-chromium-${version}`);
  const binary = join(cache, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(dirname(cache), { recursive: true });
  const tmp = mkdtempSync(`${cache}.part-`);
  try {
    const code = `const m = await import(${JSON.stringify(entry)}); process.stdout.write(await m.default.executablePath());`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8', timeout: 120_000 });
    if (out !== join(tmp, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${out}, not into ${tmp}`);
    try {
      renameSync(tmp, cache);
    } catch (e) {
      // another test file unpacked it first: theirs is complete, this copy goes
      if (!existsSync(binary)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return binary;
}

let chromiumCached: Promise<ChromiumLaunch> | undefined;
/** The headless chromium for playwright-core: @sparticuz/chromium's (its own flags), else the system's. */
export function chromiumLaunch(): Promise<ChromiumLaunch> {
  chromiumCached ??= (async () => {
    let entry: string | null = null;
    try {
      entry = fileURLToPath(import.meta.resolve('@sparticuz/chromium'));
    } catch {
      entry = null;
    }
    if (entry) {
      const { default: Chromium } = (await import('@sparticuz/chromium')) as { default: { args: string[] } };
      return { executablePath: unpackSparticuz(entry), args: [...Chromium.args, ...QUIET], headless: true };
    }
    const system = systemProgram('chromium');
    if (!system) throw new Error('the browser tests need chromium: the npm package @sparticuz/chromium (a devDependency: run npm install) is not installed, and there is no chromium on the PATH');
    return { executablePath: system, args: ['--no-sandbox', ...QUIET], headless: true };
  })();
  return chromiumCached;
}
