/** Feeds events through the tracker and collects what it emits (test helper; the tracker itself, not a copy). */
import type { AmiMessage } from '../../ami-wire/index.ts';
import { closeMissing, initialState, track, type StageEvent, type TrackerConfig, type TrackerProblem, type TrackerState } from '../../engine/tracker/index.ts';

export interface Run {
  state: TrackerState;
  emitted: StageEvent[];
  problems: TrackerProblem[];
}

export function run(evs: AmiMessage[], config?: Partial<TrackerConfig>, state: TrackerState = initialState(config)): Run {
  const emitted: StageEvent[] = [];
  const problems: TrackerProblem[] = [];
  for (const ev of evs) {
    const r = track(state, ev);
    state = r.state;
    emitted.push(...r.emitted);
    problems.push(...r.problems);
  }
  return { state, emitted, problems };
}

/** The end of a capture: close whatever is still open (as follow-calls' finish() does). */
export function runToEnd(evs: AmiMessage[], config?: Partial<TrackerConfig>): Run {
  const r = run(evs, config);
  const c = closeMissing(r.state, new Set());
  return { state: c.state, emitted: [...r.emitted, ...c.emitted], problems: [...r.problems, ...c.problems] };
}

export function stages(r: Run, linkedid?: string): string[] {
  return r.emitted.filter((e) => !linkedid || e.linkedid === linkedid).map((e) => e.stage);
}

export function callEnded(r: Run, linkedid: string): StageEvent {
  const e = r.emitted.find((x) => x.linkedid === linkedid && x.stage === 'call_ended');
  if (!e) throw new Error(`no call_ended for ${linkedid}`);
  return e;
}
