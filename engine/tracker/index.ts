/**
 * @module engine/tracker — follows every call by linkedid (AMI events and AMI CEL) and builds call_full.
 * See docs/design/tracker.md.
 */
export type { CallExplanation, CallSummary, Direction, StageEvent, TrackerConfig, TrackerProblem, TrackerProblemCode, TrackerState, TrackResult } from './model.ts';
export { DEFAULT_TRACKER_CONFIG } from './model.ts';
export { closeMissing, endMissingChannels, initialState, track } from './track.ts';
export { summarize } from './summarize.ts';
export { eventTime } from './time.ts';
export { TRACKER_AMI_EVENTS, TRACKER_AMI_HEADERS, TRACKER_AMI_ONLY } from './interest.ts';
export { knownBlock, KNOWN_EVENT, type TrackerKnown } from './known.ts';
