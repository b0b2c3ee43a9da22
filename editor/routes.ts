/**
 * The editor as a route module of the service's HTTP server (http/): the JSON API the page, the CLI and scripts
 * use (hooks, drafts, publish, versions, rollback, captures, failures, replay), the replay stream over WebSocket
 * (replay-stream.ts) and the page with its assets (assets.ts). None of its routes is public: the session gate
 * (http/gate.ts) stands in front of every /api route, and the WebSocket upgrade checks the session itself.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CapabilityHost } from '../capabilities/index.ts';
import { hooks, isHookName, makeError, type Diagnostic, type HookLimits, type HookName, type HooklineError } from '../contracts/index.ts';
import { problem, SESSION_COOKIE, type Auth, type RouteModule } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import { compile, type Runner } from '../sandbox/index.ts';
import type { Capture, Store } from '../scripts-store/index.ts';
import type { Shadows } from '../shadow/index.ts';
import { pageRoutes } from './assets.ts';
import { replay } from './replay.ts';
import { attachReplayStream } from './replay-stream.ts';
import { registerShadowRoutes } from './shadow-routes.ts';
import { registerTestCaseRoutes } from './test-case-routes.ts';
import { runTestCases } from './test-cases.ts';
import { createOffThreadTypeCheck, type OffThreadTypeCheck } from './typecheck-off-thread.ts';

export interface EditorRoutesOptions {
  store: Store;
  runner: Runner;
  /** Runs replays; default `runner`. A runner with two children lets the draft and the published version run side by side. */
  replayRunner?: Runner;
  /** Each hook's limits as the engine applies them (config `hooks`), for replays. */
  hookLimits?: Partial<Record<HookName, Partial<HookLimits>>>;
  /** The capability layer (issue 19): replays answer scripts' fetch / kommo / store calls from the capture, never acting. */
  capabilities?: CapabilityHost;
  /** The sessions of the server's gate: who saves and publishes, and who may open the replay stream. */
  auth: Auth;
  log?: Logger;
  /** Serve the editor page (built in the background at start, editor/build.ts). Default true. */
  page?: boolean;
  /** Shadow runs on live calls (issue 17, item 7; app/ gives them): without, the shadow routes say they need the engine. */
  shadows?: Shadows;
  /** The live version's suspension of a hook (engine/hooks quarantine, through app/), or null. */
  quarantine?: (hook: HookName) => { version: number | string; reason: string; failures: number; since: number; until: number } | null;
}

const DAY_MS = 24 * 3600_000;

function hookOf(req: FastifyRequest, reply: FastifyReply): HookName | null {
  const h = (req.params as { hook?: string }).hook;
  if (isHookName(h)) return h;
  void problem(reply, 404, 'UNKNOWN_HOOK', `there is no hook "${h}"`, 'GET /api/hooks lists the 13 hooks.');
  return null;
}

/** The most captures one request names (captures?limit=, replay's limit and ids). */
const MAX_LIMIT = 10_000;

const str = { type: 'string' } as const;
const bodies = {
  draft: { type: 'object', required: ['source'], additionalProperties: false, properties: { source: { type: 'string', maxLength: 1_000_000 } } },
  publish: { type: 'object', required: ['message'], additionalProperties: false, properties: { message: { type: 'string', minLength: 1, maxLength: 500 }, anyway: { type: 'boolean' } } },
  rollback: { type: 'object', additionalProperties: false, properties: { toVersion: { type: 'integer', minimum: 1 }, toDefault: { type: 'boolean' } } },
  replay: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT }, ids: { type: 'array', items: str, maxItems: MAX_LIMIT }, source: { type: 'string' } },
  },
} as const;

export function editorRoutes(o: EditorRoutesOptions): RouteModule {
  return {
    name: 'editor',
    async register(app) {
      const typeChecks = createOffThreadTypeCheck();
      registerApi(app, o, typeChecks);
      // The page (GET /, /assets, typings) is a route module of its own (editor/assets.ts), on unless `page: false`.
      if (o.page !== false) await pageRoutes({ log: o.log }).register(app);
      const wss = attachReplayStream(app, o);
      app.addHook('onClose', async () => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        await typeChecks.close();
      });
    },
  };
}

function registerApi(app: FastifyInstance, o: EditorRoutesOptions, typeChecks: OffThreadTypeCheck): void {
  /** The type check of each hook's last saved draft (one per hook), started when it is saved. */
  const lastCheck = new Map<HookName, { source: string; diagnostics: Promise<Diagnostic[]> }>();
  const typeChecked = (hook: HookName, source: string): Promise<Diagnostic[]> => {
    const known = lastCheck.get(hook);
    if (known?.source === source) return known.diagnostics;
    const diagnostics = typeChecks.check(source, hook);
    // A check that failed (the thread stopped) is tried again by the next caller.
    diagnostics.catch(() => lastCheck.get(hook)?.diagnostics === diagnostics && lastCheck.delete(hook));
    lastCheck.set(hook, { source, diagnostics });
    return diagnostics;
  };
  app.get('/api/hooks', async () => {
    const since = new Date(Date.now() - DAY_MS);
    return {
      hooks: o.store.listHooks().map((h) => ({
        ...h,
        number: hooks[h.hook].number,
        summary: hooks[h.hook].summary,
        failures24h: o.store.failures(h.hook, { since }).length,
        quarantine: o.quarantine?.(h.hook) ?? null,
      })),
    };
  });

  app.get('/api/hooks/:hook/draft', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const d = o.store.draft(hook);
    const pub = o.store.published(hook);
    return d ?? { source: pub?.source ?? hooks[hook].template, updatedAt: null, author: null, fromTemplate: !pub };
  });

  app.put('/api/hooks/:hook/draft', { schema: { body: bodies.draft } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const session = o.auth.session(req.cookies[SESSION_COOKIE]);
    const d = await o.store.saveDraft(hook, (req.body as { source: string }).source, session?.username ?? 'admin');
    const c = await compile(d.source, { hook, version: 'draft' });
    // Publish type-checks the draft: started now, off the main thread, so a publish that follows has its answer.
    if (c.ok) typeChecked(hook, d.source);
    return { draft: d, compile: c.ok ? null : c.error };
  });

  app.post('/api/hooks/:hook/publish', { schema: { body: bodies.publish } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const session = o.auth.session(req.cookies[SESSION_COOKIE]);
    const body = req.body as { message: string; anyway?: boolean };
    // The contract's type check (as `hookline check` and the editor do): a script it refuses fails on the calls it
    // runs for, so it is published only when the operator says so ({"anyway": true}), and the history says it was.
    const draft = o.store.draft(hook)?.source;
    const compiles = draft !== undefined && (await compile(draft, { hook })).ok;
    const typeErrors = compiles && draft !== undefined ? await typeChecked(hook, draft) : [];
    if (typeErrors.length && !body.anyway) {
      const detail = typeErrors.slice(0, 5).map((d) => `line ${d.line}: ${d.message}`).join('; ');
      const error = makeError('PUBLISH_TYPE_ERRORS', { hook, count: typeErrors.length, detail });
      return reply.code(422).send({ error, problems: typeErrors.map((d) => ({ line: d.line, column: d.column, message: d.message })) });
    }
    // The hook's test cases (issue 17, item 3) on the draft: a failing case refuses the publish the same way.
    const cases = o.store.testCases(hook);
    const tests = compiles && draft !== undefined && cases.length ? await runTestCases({ runner: o.replayRunner ?? o.runner, hook, source: draft, cases, limits: o.hookLimits?.[hook] }) : null;
    const failing = tests?.ok ? tests.report.results.filter((t) => !t.pass) : [];
    if (failing.length && !body.anyway) {
      const detail = failing.slice(0, 5).map((t) => `"${t.name}"${t.error ? ` (${t.error.code})` : ''}`).join(', ');
      const error = makeError('PUBLISH_TESTS_FAILED', { hook, count: failing.length, total: cases.length, detail });
      return reply.code(422).send({ error, failing: failing.map((t) => ({ id: t.id, name: t.name, error: t.error, diff: t.diff })) });
    }
    const plural = (n: number, what: string) => `${n} ${what}${n > 1 ? 's' : ''}`;
    const what = [typeErrors.length ? plural(typeErrors.length, 'type error') : '', failing.length ? plural(failing.length, 'failing test case') : ''].filter(Boolean);
    const noted = what.length ? ` (published with ${what.join(' and ')})` : '';
    let compileError: HooklineError | null = null;
    const r = await o.store.publish(hook, {
      message: `${body.message}${noted}`,
      author: session?.username ?? 'admin',
      check: async (source) => {
        const c = await compile(source, { hook });
        compileError = c.ok ? null : c.error;
        return compileError;
      },
    });
    if (!r.ok) return reply.code(compileError ? 400 : 409).send({ error: compileError ?? r.error, refused: r.error });
    return { version: r.value };
  });

  app.get('/api/hooks/:hook/versions', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    // The template: what the page's confirmations compare with when nothing is live (the built-in default runs).
    return { published: o.store.published(hook)?.version ?? null, versions: o.store.versions(hook), template: hooks[hook].template };
  });

  app.post('/api/hooks/:hook/rollback', { schema: { body: bodies.rollback } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const session = o.auth.session(req.cookies[SESSION_COOKIE]);
    const author = session?.username ?? 'admin';
    // A draft that was the live version (nothing unpublished in it) follows the rollback: else the next Publish
    // would silently bring back the version just rolled back from. A draft with unpublished work is kept.
    const before = o.store.draft(hook)?.source;
    const wasLive = before === undefined || before === o.store.published(hook)?.source;
    const body = req.body as { toVersion?: number; toDefault?: boolean };
    if (body.toDefault && body.toVersion !== undefined) return problem(reply, 400, 'BAD_REQUEST', 'toDefault and toVersion name two different targets', 'Send one of them.');
    // With no earlier version to go back to (the only one is live), or when asked (toDefault), the hook goes back
    // to its built-in default; a history entry says so.
    const live = o.store.published(hook);
    const onlyOne = body.toVersion === undefined && live !== null && !o.store.versions(hook).some((v) => !v.toDefault && v.version < live.version);
    const r = await o.store.rollback(hook, { author, toVersion: body.toVersion, toDefault: body.toDefault || onlyOne });
    if (!r.ok) return reply.code(409).send({ error: r.error });
    if (wasLive) {
      if (r.value.toDefault) await o.store.clearDraft(hook); // the page then opens the template
      else await o.store.saveDraft(hook, r.value.source, author);
    }
    return { version: r.value };
  });

  app.get('/api/hooks/:hook/captures', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const raw = (req.query as { limit?: unknown }).limit;
    if (raw === undefined) return { captures: o.store.captures(hook) };
    // Checked here, not coerced: Number('-5') || undefined, Number('abc') and 0 used to mean "every capture".
    const limit = typeof raw === 'string' && /^[1-9]\d{0,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(limit <= MAX_LIMIT)) {
      return problem(reply, 400, 'BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_LIMIT}, not "${String(raw).slice(0, 40)}"`, 'Leave limit out for every capture kept, or give the newest N as limit=N.');
    }
    return { captures: o.store.captures(hook, { limit }) };
  });

  app.post('/api/hooks/:hook/replay', { schema: { body: bodies.replay } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const b = req.body as { limit?: number; ids?: string[]; source?: string };
    const source = b.source ?? o.store.draft(hook)?.source ?? o.store.published(hook)?.source ?? hooks[hook].template;
    const r = await replay({ store: o.store, runner: o.replayRunner ?? o.runner, hook, draftSource: source, limit: b.limit, ids: b.ids, limits: o.hookLimits?.[hook], ...(o.capabilities ? { capabilities: o.capabilities } : {}) });
    if (!r.ok) return reply.code(400).send({ error: r.error });
    // Every replay runs the hook's test cases too (issue 17, item 3); a replay of chosen captures (ids) does not.
    const tests = b.ids ? null : await runTestCases({ runner: o.replayRunner ?? o.runner, hook, source, cases: o.store.testCases(hook), limits: o.hookLimits?.[hook] });
    return { ...r.report, tests: tests?.ok ? tests.report : null };
  });

  registerTestCaseRoutes(app, o);
  registerShadowRoutes(app, o);

  app.get('/api/hooks/:hook/failures', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    // Each failure with the input of the same call (a capture of this hook with its linkedid: the one made last
    // before the failure, else the first after), so the page can show it and replay the draft on it.
    const byCall = new Map<string, Capture[]>();
    for (const c of o.store.captures(hook)) if (c.linkedid !== null) byCall.set(c.linkedid, [...(byCall.get(c.linkedid) ?? []), c]);
    return {
      failures: o.store.failures(hook).map((f) => {
        const same = f.linkedid === null ? [] : (byCall.get(f.linkedid) ?? []); // newest first
        const t = Date.parse(f.time);
        const c = same.find((x) => Date.parse(x.time) <= t) ?? same.at(-1) ?? null;
        return { ...f, capture: c ? { id: c.id, time: c.time, input: c.input } : null };
      }),
    };
  });
}
