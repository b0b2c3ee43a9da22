/**
 * @module stories: each call's story (summary, events, stage decisions, hook invocations, Kommo requests and
 * answers, entities touched), recorded off the call path into `<dataDir>/stories/` within bounds, served by
 * `GET /api/calls…`, turned back into a capture, and replayed with the drafts (the dry run). docs/design/stories.md.
 */
export { createStoryRecorder, entityUrl, type StoryRecorder } from './recorder.ts';
export { openStoryStore, storiesDir, DEFAULT_STORY_BOUNDS, type StoryStore, type StoryBounds } from './store.ts';
export { openSegmentLog, segmentBytesOf, type SegmentLog, type SegmentLogOptions, type LogEntry } from './segment-log.ts';
export { createEventGroups, type EventGroups } from './event-groups.ts';
export type { Story, StorySummary, StoryHook, StoryKommo, StoryEntity, StoryOutcome, StoryQuery } from './types.ts';
export { callsRoutes, parseTime, type CallsRoutesOptions, type DryRunRequest } from './routes.ts';
export { toCapture } from './capture.ts';
export { dryRun, compareWrites, type DryRunOptions, type DryRunResult, type DryRunCall, type DryRunChange, type DryRunWrite } from './dry-run.ts';
export { draftScripts, draftInvoker, type DraftScripts } from './drafts.ts';
export { createReplayKommo, type ReplayKommo } from './replay-kommo.ts';
