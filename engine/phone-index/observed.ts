/**
 * The phone index as the registrar sees it, with each lookup of a call reported to the Kommo observer
 * (engine/kommo observe.ts, INDEX_LOOKUP): the call's story shows that its client came from the index with no
 * request, and the dry run (stories/) answers the same lookup with the same hit.
 */
import { INDEX_LOOKUP, type KommoObserver } from '../kommo/index.ts';
import type { PhoneIndex } from './phone-index.ts';

export function observeLookups(index: PhoneIndex, observe: KommoObserver): PhoneIndex {
  return {
    ...index,
    lookup(phone, ctx) {
      const at = Date.now();
      const t = performance.now();
      const hit = index.lookup(phone, ctx);
      // not ready: nothing was looked up (the registrar searches Kommo, which the observer sees)
      if (hit && ctx?.linkedid) {
        try {
          observe({ ...INDEX_LOOKUP, write: false, linkedid: ctx.linkedid, args: [phone], result: hit, at, durationMs: performance.now() - t });
        } catch {
          // an observer's fault never reaches the registrar
        }
      }
      return hit;
    },
  };
}
