/**
 * Shadow runs over HTTP (issue 17, item 7), when the editor runs inside hookline (the engine's live calls):
 *   GET  /api/hooks/:hook/shadow        {available, shadow, results}: the hook's shadow (active, or the last one
 *                                       ended) and its results, newest first, each with the input, the live
 *                                       output, the shadow's and the diff
 *   POST /api/hooks/:hook/shadow        {source?}: the source (default: the saved draft) runs in shadow from the
 *                                       next call; a shadow of the hook already running is replaced
 *   POST /api/hooks/:hook/shadow/stop   {}: ends it (a publish of the hook ends it too)
 */
import type { FastifyInstance } from 'fastify';
import { isHookName } from '../contracts/index.ts';
import { problem, SESSION_COOKIE } from '../http/index.ts';
import type { EditorRoutesOptions } from './routes.ts';

const bodies = {
  start: { type: 'object', additionalProperties: false, properties: { source: { type: 'string', maxLength: 1_000_000 } } },
  stop: { type: 'object', additionalProperties: false, properties: {} },
} as const;

export function registerShadowRoutes(app: FastifyInstance, o: EditorRoutesOptions): void {
  const hookOf = (params: unknown) => {
    const h = (params as { hook?: string }).hook;
    return isHookName(h) ? h : null;
  };
  const unknownHook = (reply: Parameters<typeof problem>[0], params: unknown) =>
    problem(reply, 404, 'UNKNOWN_HOOK', `there is no hook "${String((params as { hook?: string }).hook)}"`, 'GET /api/hooks lists the 13 hooks.');
  const unavailable = (reply: Parameters<typeof problem>[0]) =>
    problem(reply, 409, 'BAD_REQUEST', 'shadow runs need live calls: this editor runs without the engine', 'Use the editor of a running hookline (hookline start, npm start).');

  app.get('/api/hooks/:hook/shadow', async (req, reply) => {
    const hook = hookOf(req.params);
    if (!hook) return unknownHook(reply, req.params);
    const s = o.shadows?.get(hook) ?? null;
    return { available: o.shadows !== undefined, shadow: s?.shadow ?? null, results: s?.results ?? [] };
  });

  app.post('/api/hooks/:hook/shadow', { schema: { body: bodies.start } }, async (req, reply) => {
    const hook = hookOf(req.params);
    if (!hook) return unknownHook(reply, req.params);
    if (!o.shadows) return unavailable(reply);
    const source = (req.body as { source?: string }).source ?? o.store.draft(hook)?.source;
    if (source === undefined) return problem(reply, 409, 'BAD_REQUEST', `${hook} has no saved draft to put in shadow`, 'Save the draft first, or send its source.');
    const r = await o.shadows.start(hook, source, o.auth.session(req.cookies[SESSION_COOKIE])?.username ?? 'admin');
    if (!r.ok) return reply.code(400).send({ error: r.error });
    return reply.code(201).send({ shadow: r.value });
  });

  app.post('/api/hooks/:hook/shadow/stop', { schema: { body: bodies.stop } }, async (req, reply) => {
    const hook = hookOf(req.params);
    if (!hook) return unknownHook(reply, req.params);
    if (!o.shadows) return unavailable(reply);
    const s = o.shadows.stop(hook, 'stopped in the editor');
    if (!s) return problem(reply, 409, 'BAD_REQUEST', `no shadow of ${hook} is running`, 'Start one with POST /api/hooks/<hook>/shadow.');
    return { shadow: s };
  });
}
