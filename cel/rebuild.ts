/**
 * CEL rows → finished calls, through the very path live AMI events take (engine/calls followCalls: the tracker,
 * the stage decisions with need_registration and process_client_phone), so a call rebuilt from the table is
 * the call AMI would have given.
 */
import type { AmiMessage } from '../ami-wire/index.ts';
import { followCalls, type FinishedCall } from '../engine/calls/index.ts';
import type { StageContext } from '../engine/stages/index.ts';
import type { TrackerConfig } from '../engine/tracker/index.ts';
import type { Logger } from '../log/index.ts';
import { toEvent, type ReadRow, type RowZones } from './rows.ts';

export interface RebuildOptions {
  zones: RowZones;
  tracker: Partial<TrackerConfig>;
  stages: StageContext;
  log: Logger;
  /** Each event as the tracker reads it (the call's story, stories/). */
  onEvent?: (msg: AmiMessage) => void;
}

/** A source of events with the one method followCalls uses. */
function feed() {
  const listeners = new Map<string, Set<(arg: never) => void>>();
  return {
    on(name: string, fn: (arg: never) => void) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(fn);
      return () => set.delete(fn);
    },
    emit(ev: AmiMessage) {
      for (const fn of listeners.get('message') ?? []) (fn as (m: AmiMessage) => void)(ev);
    },
  };
}

/** The calls of these rows (every row of each call, in order), each finished call in the order it ended. */
export async function rebuildCalls(rows: ReadRow[], o: RebuildOptions): Promise<FinishedCall[]> {
  const out: FinishedCall[] = [];
  const source = feed();
  const follower = followCalls({ ami: source, tracker: o.tracker, stages: o.stages, log: o.log, onCall: (c) => out.push(c), ...(o.onEvent ? { onEvent: o.onEvent } : {}) });
  try {
    for (const r of rows) source.emit(toEvent(r, o.zones));
    await follower.idle();
    // every call read here ended (its LINKEDID_END was found); one the tracker still holds open is closed as best known
    follower.finish();
    await follower.idle();
  } finally {
    follower.stop();
  }
  return out;
}
