/**
 * How the supervisor starts a sandbox child: child.ts and the files it imports, bundled once per process by
 * esbuild into one ES module passed to `node -e`. Measured on the 2-core VM (bench RESULTS, docs/design/
 * sandbox.md): the bundled child starts in ~0.55 s with ~50 MB RSS against ~0.8 s and ~77 MB for `fork`ing
 * child.ts, because a child that loads no .ts file never starts Node's type stripper. A child starts at the
 * first invocation and after every crash, so this is also the crash-recovery time. If bundling fails, child.ts
 * is forked as it is.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface ChildCommand {
  /** Node arguments after the executable. */
  args: string[];
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'child.ts');
// Flags every sandbox child runs with: isolated-vm needs --no-node-snapshot on Node 20+ (its README).
const NODE_FLAGS = ['--no-node-snapshot'];

let command: Promise<ChildCommand> | null = null;

export function childCommand(): Promise<ChildCommand> {
  command ??= bundle().then(
    (code) => ({ args: [...NODE_FLAGS, '--input-type=module', '-e', code] }),
    () => ({ args: [...NODE_FLAGS, CHILD] }),
  );
  return command;
}

async function bundle(): Promise<string> {
  // isolated-vm stays a real import of the installed package (native code), by absolute URL since `-e` code
  // resolves bare names from the working directory.
  const ivm = import.meta.resolve('isolated-vm');
  const out = await build({
    entryPoints: [CHILD],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    logLevel: 'silent',
    plugins: [{ name: 'isolated-vm-external', setup: (b) => b.onResolve({ filter: /^isolated-vm$/ }, () => ({ path: ivm, external: true })) }],
  });
  const js = out.outputFiles?.[0]?.text;
  if (!js) throw new Error('esbuild produced no child bundle');
  return js;
}
