/** The worker thread of typecheck-off-thread.ts: type-checks scripts against their hook's contract. */
import { parentPort } from 'node:worker_threads';
import { typeCheck, type HookName } from '../contracts/index.ts';

parentPort?.on('message', (m: { id: number; source: string; hook: HookName }) => {
  try {
    parentPort?.postMessage({ id: m.id, diagnostics: typeCheck(m.source, m.hook) });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, error: String((e as Error)?.message ?? e) });
  }
});
