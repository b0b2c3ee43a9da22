/** @module engine/calls — follows calls from AMI events through the tracker and the stage hooks (docs/DESIGN.md, docs/design/tracker.md). */
export { followCalls, type FinishedCall, type StageVerdict, type FollowOptions, type CallFollower } from './follow-calls.ts';
