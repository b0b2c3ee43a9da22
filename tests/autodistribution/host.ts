/**
 * Shared by the feature tests (autodistribution, click-to-call, recordings): the real editor server hosting
 * route modules, a real sandbox runner, and a HookInvoker whose published scripts a test sets per hook.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HookName } from '../../contracts/index.ts';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth, type RouteModule } from '../../http/index.ts';
import { createHookInvoker, type InvocationRecord, type InvokerOptions } from '../../engine/hooks/index.ts';
import { silentLogger, type Logger } from '../../log/index.ts';
import { compile, createRunner, type HookScript, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

export interface Scripts {
  /** Publish `source` for `hook` (null: no published script, the default runs). */
  set(hook: HookName, source: string | null): Promise<void>;
  published(hook: HookName): HookScript | null;
}

/** With a runner, a script is warmed when set (as the engine warms a version on publish). */
export function createScripts(runner?: Runner): Scripts {
  const live = new Map<HookName, HookScript>();
  let version = 0;
  return {
    async set(hook, source) {
      if (source === null) {
        live.delete(hook);
        return;
      }
      const c = await compile(source, { hook });
      if (!c.ok) throw new Error(`test script for ${hook} did not compile: ${c.error.message}`);
      const script = { version: ++version, compiled: c.compiled };
      await runner?.warm(hook, script);
      live.set(hook, script);
    },
    published: (hook) => live.get(hook) ?? null,
  };
}

/** A hook invoker over scripts a test sets; `o` as app/ gives it (defaultScripts, limits). */
export function createTestInvoker(runner: Runner, log: Logger = silentLogger, o: Pick<InvokerOptions, 'defaultScripts' | 'limits'> = {}) {
  const scripts = createScripts(runner);
  const records: InvocationRecord[] = [];
  const invoker = createHookInvoker({ runner, scripts, log, ...o, onInvocation: (r) => records.push(r) });
  return { invoker, scripts, records };
}

export interface Host {
  editor: Editor;
  store: Store;
  dir: string;
  close(): Promise<void>;
}

/** The editor's own server with the route modules registered, on a free port of 127.0.0.1. */
export async function startHost(runner: Runner, routes: RouteModule[]): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-feature-'));
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  const store = r.value;
  const editor = await startEditor({ store, runner, port: 0, auth: createAuth(dir, { username: 'admin', password: 'pw' }), routes });
  return {
    editor,
    store,
    dir,
    async close() {
      await editor.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { createRunner };
