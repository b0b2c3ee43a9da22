/**
 * Builds the editor's page with esbuild: editor/web/main.ts (with Monaco and uPlot, their CSS and the codicon
 * font), Monaco's editor worker and its TypeScript worker, into editor/dist/<key>/. The key is a hash of every
 * input (the page sources, this file, and the versions of monaco-editor, uplot and esbuild), so a build is
 * reused until one of them changes, and a changed source is never served stale.
 *
 * Built on demand when hookline starts (not at postinstall: a fresh clone's `npm start` then works whatever
 * npm ran, and an edit of the page is picked up by the next start). Several processes may start at once (test
 * files, a CLI next to a running hookline): each build goes to a temporary folder renamed into place, and a
 * lock folder makes the others wait for the first instead of building the same thing again.
 *
 * The build itself runs in a child process (`node editor/build.ts --build-into <dir> <key>`), which ends when the
 * page is written, and esbuild's service process with it. Built in hookline's own process, that service stayed
 * alive as long as hookline, holding what it took to bundle Monaco: measured 450 MB of RSS beside hookline's
 * 159 MB on a first start of the demo (issue 15; tests/editor/demo-memory.test.ts sums the demo's processes).
 * The child leads its own process group, so a terminal's Ctrl-C stops hookline without failing the build under
 * it; and it exits as soon as hookline does (its IPC channel closes).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const WEB_DIR = join(here, 'web');
export const DIST_DIR = join(here, 'dist');
const LOCK_STALE_MS = 120_000;

export interface PageBuild {
  /** The folder holding index.html and the assets. */
  dir: string;
  /** The hash of the inputs; also the assets' URL prefix, /assets/<key>/, so they can be cached for good. */
  key: string;
  /** False when an existing build was reused. */
  built: boolean;
  ms: number;
}

/** A package's folder (monaco-editor's exports map hides its package.json from require.resolve). */
const pkgDir = (name: string) => join(dirname(require.resolve('esbuild')), '..', '..', name);
const pkgVersion = (name: string) => (JSON.parse(readFileSync(join(pkgDir(name), 'package.json'), 'utf8')) as { version: string }).version;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** The hash of everything the build reads that can change in this repository. */
export function pageKey(): string {
  const h = createHash('sha256');
  h.update(`monaco-editor ${pkgVersion('monaco-editor')} uplot ${pkgVersion('uplot')} esbuild ${esbuild.version}\n`);
  for (const f of [fileURLToPath(import.meta.url), ...sourceFiles(WEB_DIR)]) {
    h.update(`${relative(here, f)}\n`);
    h.update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Returns the build for the current sources, building it first if there is none. */
export async function ensurePage(o: { log?: (msg: string) => void } = {}): Promise<PageBuild> {
  const t0 = performance.now();
  const key = pageKey();
  const dir = join(DIST_DIR, key);
  const done = () => existsSync(join(dir, 'index.html'));
  if (done()) return { dir, key, built: false, ms: performance.now() - t0 };
  mkdirSync(DIST_DIR, { recursive: true });
  const lock = join(DIST_DIR, `.lock-${key}`);
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // Another process is building this key: wait for it, unless its lock is left from a process that died.
      if (done()) return { dir, key, built: false, ms: performance.now() - t0 };
      if (lockIsStale(lock)) rmSync(lock, { recursive: true, force: true });
      await sleep(100);
    }
  }
  try {
    if (done()) return { dir, key, built: false, ms: performance.now() - t0 };
    o.log?.('building the editor page (esbuild: the page, Monaco and its TypeScript worker); later starts reuse it');
    const tmp = join(DIST_DIR, `.tmp-${key}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    await buildInChild(tmp, key);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    removeOldBuilds(key);
    return { dir, key, built: true, ms: performance.now() - t0 };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (pid > 0 && !alive(pid)) return true;
    return Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS;
  } catch {
    // No pid file yet (being written) or the lock is gone: stale only if old.
    try {
      return Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS;
    } catch {
      return false;
    }
  }
}

/** What the build child wrote on stderr is kept up to this, for the error. */
const STDERR_TAIL_CHARS = 4_000;

/** Runs buildInto in a child process (see the header), resolved when it exited with 0. */
function buildInChild(out: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--build-into', out, key], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      detached: true,
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL_CHARS);
    });
    child.once('error', (e) => reject(new Error(`could not start the editor page build: ${e.message}`, { cause: e })));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`the editor page build failed (${signal ? `signal ${signal}` : `exit code ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    });
  });
}

async function buildInto(out: string, key: string): Promise<void> {
  const monaco = pkgDir('monaco-editor');
  await esbuild.build({
    entryPoints: {
      main: join(WEB_DIR, 'main.ts'),
      'editor.worker': join(monaco, 'esm/vs/editor/editor.worker.js'),
      'ts.worker': join(monaco, 'esm/vs/language/typescript/ts.worker.js'),
    },
    outdir: out,
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    loader: { '.ttf': 'file' },
    assetNames: '[name]-[hash]',
    logLevel: 'silent',
  });
  const html = readFileSync(join(WEB_DIR, 'index.html'), 'utf8').replaceAll('%ASSETS%', `/assets/${key}`);
  writeFileSync(join(out, 'index.html'), html);
}

/** Other keys' builds, and temporary folders left by a process that died mid-build (its pid ends the name). */
function removeOldBuilds(keep: string): void {
  for (const name of readdirSync(DIST_DIR)) {
    if (name === keep || name.startsWith('.lock-')) continue;
    const tmp = /^\.tmp-\w+-(\d+)$/.exec(name);
    if (tmp && alive(Number(tmp[1]))) continue;
    rmSync(join(DIST_DIR, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

// `node editor/build.ts --build-into <dir> <key>`: the child buildInChild starts. It goes when hookline goes.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === '--build-into') {
  process.on('disconnect', () => process.exit(1));
  try {
    await buildInto(process.argv[3] as string, process.argv[4] as string);
    process.exit(0);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
// `node editor/build.ts`: build now (or say that the current build is reused).
else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const b = await ensurePage({ log: (m) => console.error(m) });
  console.log(`${b.built ? 'built' : 'reused'} ${relative(process.cwd(), b.dir)} in ${b.ms.toFixed(0)} ms`);
}
