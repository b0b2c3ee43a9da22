/**
 * The codes of calls' stories (GET /api/calls…, `hookline calls purge`) and the dry run (POST /api/calls/dry-run,
 * `hookline dry-run`). In their own file so that they do not collide with other features' codes; contracts/errors.ts
 * spreads them into the one catalogue.
 */
import type { ErrorParams } from './errors.ts';

interface StoryEntry {
  what: string;
  message: (p: ErrorParams) => string;
  hint: (p: ErrorParams) => string;
  scriptFailure: false;
}

const detail = (p: ErrorParams) => (p.detail ? `: ${p.detail}` : '');

export const storyErrors = {
  STORY_NOT_FOUND: {
    what: "No story is kept for this call: it is unknown, still in progress, or went with the bounds (stories.maxCalls, maxDays, maxMegabytes) or a purge.",
    message: (p) => `no story is kept for call ${String(p.linkedid ?? '')}`,
    hint: () => 'GET /api/calls lists the calls whose stories are kept (newest first). A call in progress gets its story when the registrar is done with it.',
    scriptFailure: false,
  },
  STORY_NO_EVENTS: {
    what: "The call's story is kept but its events are not (events are kept for the newest stories.eventsCalls calls), so there is no capture to download or replay.",
    message: (p) => `the events of call ${String(p.linkedid ?? '')} are not kept${detail(p)}`,
    hint: () => 'Raise stories.eventsCalls (config) to keep the events of more calls; calls from now on keep theirs.',
    scriptFailure: false,
  },
  STORY_BAD_QUERY: {
    what: 'A request to the calls API had a parameter it cannot read.',
    message: (p) => `the calls query is not valid${detail(p)}`,
    hint: () => 'limit is 1-1000, before a time (ISO 8601 or ms since the epoch), outcome one of registered, skipped, failed, pending, direction inbound, outbound or internal, answered true or false.',
    scriptFailure: false,
  },
  STORIES_OFF: {
    what: "Calls' stories are not recorded (stories.enabled is false), so there is nothing to list, download or dry-run.",
    message: () => "calls' stories are turned off (stories.enabled is false)",
    hint: () => 'Set stories.enabled to true in the configuration and restart hookline; calls from then on are recorded.',
    scriptFailure: false,
  },
  DRY_RUN_UNRECORDED_READ: {
    what: 'In a dry run, the drafts made the registration ask Kommo something the recorded call did not ask, so there is no recorded answer to serve (nothing is sent in a dry run).',
    message: (p) => `the dry run of call ${String(p.linkedid ?? '')} asked Kommo for ${String(p.route ?? 'something')} that the recorded call did not${detail(p)}`,
    hint: () => "The drafts change what the registration reads (a different phone, another contact): the result of this call cannot be known without asking Kommo. Replay the hook that made the change in the editor to see its output.",
    scriptFailure: false,
  },
  DRY_RUN_FAILED: {
    what: 'A recorded call could not be run through the stages with the drafts (its events are not kept, or a stage failed).',
    message: (p) => `the dry run of call ${String(p.linkedid ?? '')} failed${detail(p)}`,
    hint: () => 'Calls whose events are kept (stories.eventsCalls) can be dry-run. The detail says which step failed.',
    scriptFailure: false,
  },
} satisfies Record<string, StoryEntry>;
