/**
 * The calls API, a route module of the service's HTTP server: `GET /api/calls?limit=&before=&number=&outcome=`
 * (newest first; also `direction=`, `answered=`), `GET /api/calls/:linkedid` (the story), `GET
 * /api/calls/:linkedid/capture.ami` (its events as a capture `hookline calls` replays), `POST /api/calls/dry-run`
 * (the drafts over recorded calls, nothing sent) and `POST /api/calls/purge {before}`. Stories hold clients'
 * numbers: every route is behind the session gate (http/gate.ts), which admits the admin's session only.
 */
import type { FastifyReply } from 'fastify';
import { isHookName, type HookName } from '../contracts/index.ts';
import { problem, type RouteModule } from '../http/index.ts';
import { toCapture } from './capture.ts';
import type { StoryStore } from './store.ts';
import type { StoryQuery } from './types.ts';

export interface DryRunRequest {
  limit?: number;
  linkedids?: string[];
}

export interface CallsRoutesOptions {
  store: StoryStore | null;
  /** Runs the dry run (dry-run.ts, wired by app/ with the drafts); absent: the route answers STORIES_OFF. */
  dryRun?: (req: DryRunRequest) => Promise<unknown>;
  /** Keeps an input as the hook's newest capture (the scripts store): "open in the editor" puts it at the top of the replay list. */
  capture?: (c: { hook: HookName; linkedid: string; input: unknown; now: number; seed: number }) => void;
}

const OUTCOMES = new Set(['registered', 'skipped', 'failed', 'pending']);
const DIRECTIONS = new Set(['inbound', 'outbound', 'internal']);

/** A time given as ms since the epoch or ISO 8601; NaN when neither. */
export function parseTime(s: string): number {
  return /^\d+$/.test(s) ? Number(s) : Date.parse(s);
}

function readQuery(q: Record<string, string | undefined>): StoryQuery | string {
  const out: StoryQuery = {};
  if (q.limit !== undefined) {
    const n = Number(q.limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) return `limit "${q.limit}" is not a whole number from 1 to 1000`;
    out.limit = n;
  }
  if (q.before !== undefined && q.before !== '') {
    const t = parseTime(q.before);
    if (!Number.isFinite(t)) return `before "${q.before}" is not a time`;
    out.before = t;
  }
  if (q.number) out.number = q.number;
  if (q.outcome) {
    if (!OUTCOMES.has(q.outcome)) return `outcome "${q.outcome}" is not one of ${[...OUTCOMES].join(', ')}`;
    out.outcome = q.outcome as StoryQuery['outcome'];
  }
  if (q.direction) {
    if (!DIRECTIONS.has(q.direction)) return `direction "${q.direction}" is not one of ${[...DIRECTIONS].join(', ')}`;
    out.direction = q.direction as StoryQuery['direction'];
  }
  if (q.answered !== undefined && q.answered !== '') {
    if (q.answered !== 'true' && q.answered !== 'false') return `answered "${q.answered}" is not true or false`;
    out.answered = q.answered === 'true';
  }
  return out;
}

export function callsRoutes(o: CallsRoutesOptions): RouteModule {
  const off = (reply: FastifyReply) => problem(reply, 404, 'STORIES_OFF', "calls' stories are turned off (stories.enabled is false)", 'Set stories.enabled to true in the configuration and restart hookline.');
  return {
    name: 'calls',
    register(app) {
      app.get('/api/calls', async (req, reply) => {
        if (!o.store) return off(reply);
        const q = readQuery(req.query as Record<string, string | undefined>);
        if (typeof q === 'string') return problem(reply, 400, 'STORY_BAD_QUERY', `the calls query is not valid: ${q}`);
        return { calls: o.store.list(q) };
      });
      app.post('/api/calls/dry-run', {
        schema: { body: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000 }, linkedids: { type: 'array', items: { type: 'string' }, maxItems: 10_000 } } } },
      }, async (req, reply) => {
        if (!o.store || !o.dryRun) return off(reply);
        return o.dryRun((req.body ?? {}) as DryRunRequest);
      });
      app.post('/api/calls/purge', {
        schema: { body: { type: 'object', required: ['before'], additionalProperties: false, properties: { before: { type: 'string', minLength: 1 } } } },
      }, async (req, reply) => {
        if (!o.store) return off(reply);
        const before = parseTime((req.body as { before: string }).before);
        if (!Number.isFinite(before)) return problem(reply, 400, 'STORY_BAD_QUERY', `before "${(req.body as { before: string }).before}" is not a time`);
        return { removed: await o.store.purge(before) };
      });
      app.post('/api/calls/:linkedid/open', {
        schema: { body: { type: 'object', required: ['index'], additionalProperties: false, properties: { index: { type: 'integer', minimum: 0 } } } },
      }, async (req, reply) => {
        if (!o.store) return off(reply);
        const { linkedid } = req.params as { linkedid: string };
        const story = o.store.get(linkedid);
        if (!story) return problem(reply, 404, 'STORY_NOT_FOUND', `no story is kept for call ${linkedid}`, 'GET /api/calls lists the calls whose stories are kept (newest first).');
        const x = story.hooks[(req.body as { index: number }).index];
        if (!x || !isHookName(x.hook)) return problem(reply, 400, 'STORY_BAD_QUERY', `call ${linkedid} has no hook invocation number ${(req.body as { index: number }).index}`, `It has ${story.hooks.length}: GET /api/calls/${linkedid} lists them.`);
        o.capture?.({ hook: x.hook, linkedid, input: x.input, now: x.at, seed: x.seed ?? 0 });
        return { hook: x.hook };
      });
      app.get('/api/calls/:linkedid', async (req, reply) => {
        if (!o.store) return off(reply);
        const { linkedid } = req.params as { linkedid: string };
        const story = o.store.get(linkedid);
        if (!story) return problem(reply, 404, 'STORY_NOT_FOUND', `no story is kept for call ${linkedid}`, 'GET /api/calls lists the calls whose stories are kept (newest first).');
        return story;
      });
      app.get('/api/calls/:linkedid/capture.ami', async (req, reply) => {
        if (!o.store) return off(reply);
        const { linkedid } = req.params as { linkedid: string };
        if (!o.store.get(linkedid)) return problem(reply, 404, 'STORY_NOT_FOUND', `no story is kept for call ${linkedid}`, 'GET /api/calls lists the calls whose stories are kept (newest first).');
        const events = o.store.events(linkedid);
        if (!events || events.length === 0) return problem(reply, 404, 'STORY_NO_EVENTS', `the events of call ${linkedid} are not kept`, 'Raise stories.eventsCalls (config) to keep the events of more calls.');
        const name = `${linkedid.replace(/[^\w.-]/g, '_')}.ami`;
        return reply.header('content-type', 'text/plain; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(toCapture(events));
      });
    },
  };
}
