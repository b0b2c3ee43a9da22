/** A call's story as kept and served: what hookline saw (events), decided (stages), ran (hooks) and sent (Kommo). */
import type { CapabilityCall } from '../capabilities/index.ts';
import type { CallStage } from '../contracts/index.ts';

export type StoryOutcome = 'registered' | 'skipped' | 'failed' | 'pending';

/** The list row: enough to find a call and say what became of it. */
export interface StorySummary {
  linkedid: string;
  /** When the call started (ms since the epoch; when it ended being recorded if the start is unknown). */
  at: number;
  startedAt: string;
  endedAt: string;
  direction: 'inbound' | 'outbound' | 'internal';
  from: string;
  to: string;
  answered: boolean;
  answeredBy: string | null;
  durationSec: number | null;
  /** SIP-like result (call_full.md): 200 answered, 486 busy, … */
  result: number;
  outcome: StoryOutcome;
  /** Skipped: the rule or hook that said no; failed: the error's message. */
  reason: string | null;
  error: { code: string; message: string } | null;
  hooks: number;
  kommoWrites: number;
  /** Events kept for this call (0 when they were dropped by `stories.eventsCalls` or never seen). */
  events: number;
}

export interface StoryHook {
  hook: string;
  version: number | string | null;
  at: number;
  /** The invocation's Math.random seed: "open in the editor" replays it the same. */
  seed: number;
  durationMs: number;
  input: unknown;
  output: unknown;
  error: { code: string; message: string; hint?: string } | null;
  logs: unknown[];
  /** The script's capability calls (fetch, kommo.request, store) with their answers: what a dry run serves back. */
  calls?: CapabilityCall[];
}

export interface StoryKommo {
  at: number;
  durationMs: number;
  op: string;
  method: string;
  route: string;
  write: boolean;
  /** The operation's arguments (bodies for writes, the phone for searches, ids for reads). */
  request: unknown[];
  /** 200 for an answer, else the error's HTTP status (null without one: a timeout, a network failure). */
  status: number | null;
  /** The answer as the client gave it: a result value `{ok, value | error}`, an array of them for writes. */
  answer: unknown;
}

export interface StoryEntity {
  type: 'contacts' | 'companies' | 'leads' | 'tasks' | 'calls' | 'unsorted';
  id: number | string;
  /** A link into the account (null where Kommo has no page for it). */
  url: string | null;
}

export interface Story {
  v: 1;
  summary: StorySummary;
  /** The tracker's finished call as `hookline calls` prints it (without call_full): what a capture must replay to. */
  call: {
    linkedid: string;
    direction: string;
    from: string;
    to: string;
    answered: boolean;
    answered_by: string | null;
    conversations: unknown[];
    result: number;
    stages: CallStage[];
    decisions: unknown[];
  } | null;
  hooks: StoryHook[];
  kommo: StoryKommo[];
  entities: StoryEntity[];
}

export interface StoryQuery {
  limit?: number;
  /** Calls that started before this time (ms since the epoch). */
  before?: number;
  /** Digits anywhere in from or to. */
  number?: string;
  outcome?: StoryOutcome;
  direction?: 'inbound' | 'outbound' | 'internal';
  answered?: boolean;
}
