/** Test helpers: compile a source for a hook and invoke it through a real runner (real isolates). */
import { afterAll, beforeAll, expect } from 'vitest';
import { hooks, type HookName } from '../../contracts/index.ts';
import { compile, createRunner, type InvocationResult, type InvokeOptions, type Runner, type RunnerOptions } from '../../sandbox/index.ts';

let version = 0;

export async function script(hook: HookName, source: string) {
  const c = await compile(source, { hook });
  if (!c.ok) throw new Error(`test script did not compile: ${c.error.message}`);
  return { version: ++version, compiled: c.compiled };
}

/** A runner shared by the tests of one file, closed after them. */
export function useRunner(opts: RunnerOptions = {}): () => Runner {
  let runner: Runner;
  beforeAll(() => {
    runner = createRunner(opts);
  });
  afterAll(async () => {
    await runner.close();
  });
  return () => runner;
}

export async function run(runner: Runner, hook: HookName, source: string, opts: InvokeOptions & { input?: unknown } = {}): Promise<InvocationResult> {
  return runner.invoke(hook, await script(hook, source), opts.input ?? structuredClone(hooks[hook].exampleInput), opts);
}

const GOOD = "export default function (input: HookInput): HookResult { return { data: { phone: input.phone + '!' }, state: 'success' }; }";

/** After a hostile script, the same runner still runs a good one. */
export async function expectRunnerStillWorks(runner: Runner): Promise<void> {
  const r = await run(runner, 'process_client_phone', GOOD);
  expect(r).toMatchObject({ ok: true, error: null, data: { phone: `${hooks.process_client_phone.exampleInput.phone}!` } });
}
