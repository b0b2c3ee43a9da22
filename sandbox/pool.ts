/**
 * Several supervised children behind one RawRunner, for work that can use more than one core (replay runs the
 * draft and the published version side by side). Each script is pinned to one child, chosen round-robin when
 * it is first seen, so its warm isolate lives in one place. Children start on first use.
 */
import type { RawRunner } from './raw.ts';
import { createSupervisor, type SupervisorOptions } from './supervisor.ts';

export function createSupervisorPool(size: number, opts: SupervisorOptions = {}): RawRunner {
  const children = Array.from({ length: Math.max(1, size) }, () => createSupervisor(opts));
  const pinned = new Map<string, number>();
  let next = 0;
  const pick = (hash: string) => {
    let i = pinned.get(hash);
    if (i === undefined) {
      i = next++ % children.length;
      pinned.set(hash, i);
    }
    return children[i] as RawRunner;
  };
  return {
    run: (script, inputJson, limits, o) => pick(script.hash).run(script, inputJson, limits, o),
    warm: (script, limits) => pick(script.hash).warm(script, limits),
    async close() {
      await Promise.all(children.map((c) => c.close()));
    },
  };
}
