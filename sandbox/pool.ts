/**
 * Several supervised children behind one RawRunner, for work that can use more than one core (replay runs the
 * draft and the published version side by side). Each script is pinned to one child, chosen round-robin when
 * it is first seen, so its warm isolate lives in one place. Children start on first use.
 */
import { remember } from './bounded.ts';
import type { RawRunner } from './raw.ts';
import { createSupervisor, type SupervisorOptions } from './supervisor.ts';

/** Scripts whose child is remembered; an older one is pinned again round-robin when next seen (a cold start at worst). */
export const MAX_PINNED = 1_024;

export function createSupervisorPool(size: number, opts: SupervisorOptions & { maxPinned?: number } = {}): RawRunner & { pinned(): number } {
  const maxPinned = opts.maxPinned ?? MAX_PINNED;
  const children = Array.from({ length: Math.max(1, size) }, () => createSupervisor(opts));
  const pinned = new Map<string, number>();
  let next = 0;
  const pick = (hash: string) => {
    const i = remember(pinned, hash, pinned.get(hash) ?? next++ % children.length, maxPinned);
    return children[i] as RawRunner;
  };
  return {
    run: (script, inputJson, limits, o) => pick(script.hash).run(script, inputJson, limits, o),
    warm: (script, limits) => pick(script.hash).warm(script, limits),
    async close() {
      await Promise.all(children.map((c) => c.close()));
    },
    pinned: () => pinned.size,
  };
}
