/**
 * How the supervisor starts a sandbox child: child.ts and the files it imports, bundled once per process by
 * esbuild into one ES module, written to a file named by its content hash (`sandbox-child-<16 hex>.mjs`, its
 * source map beside it) and run as `node --no-node-snapshot --enable-source-maps <file>`. A file, not
 * `node -e <code>`: an argument past ~128 KB makes `spawn` throw E2BIG, `ps` would show the whole bundle, and
 * stack traces would say `[eval1]` where they now name the .ts sources.
 *
 * Measured on the 2-core VM (docs/design/sandbox.md, 20 starts each, medians): the bundled child is ready in
 * 90 ms with 59 MB RSS (85 ms and 53 MB from `-e` before; `--enable-source-maps` is the ~6 MB) against 156 ms
 * and 81 MB for `fork`ing child.ts, because a child that loads no .ts file never starts Node's type stripper.
 * A child starts at the first invocation and after every crash, so this is also the crash-recovery time. If
 * bundling fails, child.ts is forked as it is.
 *
 * The file is written where the caller says (`bundleDir`: the service passes its data folder), by default in a
 * folder of this user under the OS temp folder. Writes are atomic (a temporary file, then rename), so processes
 * racing see the whole file or none; a file already there with the same content is reused. Code is run from
 * that folder, so it must belong to this user (or root) and not be writable by every user: a folder someone else
 * could plant a `sandbox-child-<hash>.mjs` in (one another user made first in a shared /tmp) is refused, not trusted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export interface ChildCommand {
  /** Node arguments after the executable. */
  args: string[];
}

export interface ChildCommandOptions {
  /** The folder the bundle file is written to, created if missing. Default: DEFAULT_BUNDLE_DIR. */
  bundleDir?: string;
  /** For tests: a comment put at the top of the bundle, so a test can start the child from a file of any size. */
  bundleBanner?: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'child.ts');
// Flags every sandbox child runs with: isolated-vm needs --no-node-snapshot on Node 20+ (its README).
const NODE_FLAGS = ['--no-node-snapshot'];

/** Per user, so two users of one machine never share (or fight over) the folder code is run from. */
export const DEFAULT_BUNDLE_DIR = join(tmpdir(), `hookline-sandbox${process.getuid ? `-${process.getuid()}` : ''}`);

interface Bundle {
  /** `sandbox-child-<hash>.mjs`: the hash covers the code and its map. */
  name: string;
  js: string;
  map: string;
}

/** One build per banner (one in production) for the life of the process; null when bundling failed. */
const bundles = new Map<string, Promise<Bundle | null>>();

/**
 * The arguments that start a child. Throws when the bundle file cannot be written (the supervisor turns that
 * into SANDBOX_CRASH for the invocations waiting on the child, and the next invocation tries again).
 */
export async function childCommand(o: ChildCommandOptions = {}): Promise<ChildCommand> {
  const banner = o.bundleBanner ?? '';
  let bundle = bundles.get(banner);
  if (!bundle) {
    bundle = bundleChild(banner).catch(() => null);
    bundles.set(banner, bundle);
  }
  const b = await bundle;
  if (!b) return { args: [...NODE_FLAGS, CHILD] };
  const file = await writeBundle(b, o.bundleDir ?? DEFAULT_BUNDLE_DIR);
  return { args: [...NODE_FLAGS, '--enable-source-maps', file] };
}

async function bundleChild(banner: string): Promise<Bundle> {
  // isolated-vm stays a real import of the installed package (native code), by absolute URL since the bundle
  // lives outside the project, where a bare name would not resolve.
  const ivm = import.meta.resolve('isolated-vm');
  // write: false, so `outfile` only places the map's source paths (relative to sandbox/), made absolute below.
  const outfile = join(HERE, 'sandbox-child.mjs');
  const out = await build({
    entryPoints: [CHILD],
    outfile,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    sourcemap: 'external',
    logLevel: 'silent',
    ...(banner ? { banner: { js: banner } } : {}),
    plugins: [{ name: 'isolated-vm-external', setup: (b) => b.onResolve({ filter: /^isolated-vm$/ }, () => ({ path: ivm, external: true })) }],
  });
  const js = out.outputFiles?.find((f) => f.path === outfile)?.text;
  const rawMap = out.outputFiles?.find((f) => f.path === `${outfile}.map`)?.text;
  if (!js || !rawMap) throw new Error('esbuild produced no child bundle');
  const parsed = JSON.parse(rawMap) as { sources: string[] };
  parsed.sources = parsed.sources.map((s) => new URL(s, pathToFileURL(outfile)).href);
  const map = JSON.stringify(parsed);
  const name = `sandbox-child-${createHash('sha256').update(js).update('\0').update(map).digest('hex').slice(0, 16)}.mjs`;
  // The comment names the map beside the file; it is not part of the hash, which names the file.
  return { name, js: `${js}//# sourceMappingURL=${name}.map\n`, map };
}

async function writeBundle(b: Bundle, dir: string): Promise<string> {
  const file = join(dir, b.name);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await checkOwnFolder(dir);
    // Checked at every start, not once: a temp-folder cleaner may have removed the file since.
    if ((await contentOf(file)) === b.js && (await contentOf(`${file}.map`)) === b.map) return file;
    await writeAtomically(`${file}.map`, b.map);
    await writeAtomically(file, b.js);
    return file;
  } catch (e) {
    throw new Error(`could not write the sandbox child's bundle ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

async function checkOwnFolder(dir: string): Promise<void> {
  const s = await lstat(dir);
  if (!s.isDirectory()) throw new Error(`${dir} is not a folder`);
  const uid = process.getuid?.();
  if (uid === undefined) return;
  if (s.uid !== uid && s.uid !== 0) throw new Error(`the folder belongs to user ${s.uid}, not to this user (${uid}) or root; hookline runs no code from it`);
  if (s.mode & 0o002) throw new Error('the folder is writable by every user; hookline runs no code from it');
}

async function contentOf(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o600 });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
