/**
 * @module sim/pbx — an AMI server over real TCP (127.0.0.1) that behaves like Asterisk where a client can
 * tell, replays captures, records actions and injects faults. See docs/design/ami.md.
 */
export { startPbx, DEFAULT_AMI_VERSION, DEFAULT_USERS } from './server.ts';
export { formatBlock, getHeader, getHeaders, type WireFields } from './wire.ts';
export { loadCapture, rewriteCapture, splitBlocks, type CaptureBlock, type CaptureSource, type RewriteCounters } from './capture.ts';
export type {
  OriginatePlan, Pbx, PbxClientInfo, PbxFaults, PbxUser, RecordedAction, ReplayOptions, ReplayPace, ReplayResult, StartPbxOptions,
} from './types.ts';
