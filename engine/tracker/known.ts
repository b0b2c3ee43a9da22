/**
 * What the tracker learned from earlier calls and reads in later ones: which endpoint is which extension (a
 * phone that placed a call showing 201) and which endpoints it took for trunks. A call alone does not say it,
 * so a capture of one call (stories/: GET /api/calls/:linkedid/capture.ami) starts with a `HooklineKnown` block
 * that says it — not an Asterisk event — and replays to the same call: `KnownPhone: <endpoint>=<extension>` and
 * `GuessedTrunk: <endpoint>`, each repeated as needed.
 */
import type { AmiMessage } from '../../ami-wire/index.ts';
import { MAX_GUESSED_TRUNKS, MAX_PHONES, type TrackerState } from './model.ts';

export const KNOWN_EVENT = 'HooklineKnown';

export interface TrackerKnown {
  phones: ReadonlyMap<string, string>;
  guessed: ReadonlySet<string>;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The block for the endpoints a call's events name (its channels' names start with them). */
export function knownBlock(known: TrackerKnown, channels: readonly string[]): AmiMessage | null {
  const names = channels.filter((c) => c !== '');
  const named = (ep: string) => names.some((c) => c.startsWith(`${ep}-`) || c === ep);
  const phones = [...known.phones].filter(([ep]) => named(ep)).map(([ep, ext]) => `${ep}=${ext}`);
  const trunks = [...known.guessed].filter(named);
  if (phones.length === 0 && trunks.length === 0) return null;
  return { Event: KNOWN_EVENT, ...(phones.length ? { KnownPhone: phones } : {}), ...(trunks.length ? { GuessedTrunk: trunks } : {}) };
}

/** Seeds the state from a HooklineKnown block (what the calls before the captured one had taught). */
export function learnKnown(state: TrackerState, ev: AmiMessage): void {
  for (const p of list(ev.KnownPhone)) {
    const i = p.lastIndexOf('=');
    if (i <= 0 || state.phones.size >= MAX_PHONES) continue;
    state.phones.set(p.slice(0, i), p.slice(i + 1));
  }
  for (const t of list(ev.GuessedTrunk)) if (state.guessed.size < MAX_GUESSED_TRUNKS) state.guessed.add(t);
}
