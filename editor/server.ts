/**
 * The editor's web service (fastify): the JSON API the page, the CLI and scripts use. Every /api route but
 * login answers 401 without a session. CSRF: the session cookie is SameSite=Strict, and every state-changing
 * route takes only `application/json` bodies (which a cross-site form cannot send without a CORS preflight,
 * and we answer none) and refuses a foreign `Origin`; so a client holding the cookie and sending JSON can use
 * every route, and a page elsewhere cannot.
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { hooks, isHookName, type ErrorCode, type HookLimits, type HookName, type HooklineError } from '../contracts/index.ts';
import type { Logger } from '../log/index.ts';
import { compile, type Runner } from '../sandbox/index.ts';
import type { Store } from '../scripts-store/index.ts';
import { pageRoutes } from './assets.ts';
import { SESSION_COOKIE, type Auth } from './auth.ts';
import { clientKey } from './client-key.ts';
import { createFailureLimiter } from './failures.ts';
import { replay } from './replay.ts';

export interface EditorOptions {
  store: Store;
  runner: Runner;
  /** Runs replays; default `runner`. A runner with two children lets the draft and the published version run side by side. */
  replayRunner?: Runner;
  /** Each hook's limits as the engine applies them (config `hooks`), for replays. */
  hookLimits?: Partial<Record<HookName, Partial<HookLimits>>>;
  auth: Auth;
  host?: string;
  port?: number;
  log?: Logger;
  /** GET /api/status: what the engine reports. */
  status?: () => unknown;
  /** Failed logins allowed per client address per minute. Default 5. */
  loginAttemptsPerMinute?: number;
  /**
   * config.editor.trustProxy: addresses or CIDR blocks of reverse proxies in front of hookline. A request
   * arriving from one of them is taken to come from the address its X-Forwarded-For names (the failed-login and
   * click-to-call limits count per client, not per proxy; the allow-lists see the client). Default none:
   * X-Forwarded-For is ignored, since anyone can send it.
   */
  trustProxy?: readonly string[];
  /**
   * Route modules of other features (recordings, click-to-call, autodistribution, metrics), registered on the
   * same server. A request for which `isPublic(url, method)` is true skips the session, JSON-only and Origin
   * checks: that route authenticates on its own (a signed link, a bearer token, an address allow-list).
   */
  routes?: RouteModule[];
  /** Serve the editor page (built in the background at start, editor/build.ts). Default true. */
  page?: boolean;
}

export interface RouteModule {
  name: string;
  register(app: FastifyInstance): void | Promise<void>;
  isPublic?(url: string, method: string): boolean;
}

export interface Editor {
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

const DAY_MS = 24 * 3600_000;

function problem(reply: FastifyReply, status: number, code: ErrorCode, message: string, hint?: string) {
  return reply.code(status).send({ error: { code, message, hint: hint ?? '' } });
}

function hookOf(req: FastifyRequest, reply: FastifyReply): HookName | null {
  const h = (req.params as { hook?: string }).hook;
  if (isHookName(h)) return h;
  void problem(reply, 404, 'UNKNOWN_HOOK', `there is no hook "${h}"`, 'GET /api/hooks lists the 13 hooks.');
  return null;
}

const str = { type: 'string' } as const;
const bodies = {
  login: { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username: str, password: str } },
  draft: { type: 'object', required: ['source'], additionalProperties: false, properties: { source: { type: 'string', maxLength: 1_000_000 } } },
  publish: { type: 'object', required: ['message'], additionalProperties: false, properties: { message: { type: 'string', minLength: 1, maxLength: 500 } } },
  rollback: { type: 'object', additionalProperties: false, properties: { toVersion: { type: 'integer', minimum: 1 } } },
  replay: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000 }, ids: { type: 'array', items: str, maxItems: 10_000 }, source: { type: 'string' } },
  },
} as const;

export async function startEditor(o: EditorOptions): Promise<Editor> {
  const app = Fastify({
    logger: false, bodyLimit: 2 * 1024 * 1024, trustProxy: o.trustProxy?.length ? [...o.trustProxy] : false,
    // Fastify's Ajv removes properties a schema does not allow instead of refusing them: a typo such as
    // {"toversion": 1} would be dropped and roll back to the previous version. And it converts types: a
    // {"source": 1} was saved as the draft "1". Both refused with a 400 instead (no route validates a query
    // string or params by schema, where converting would be wanted).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  await app.register(cookie);
  // Bounded like click-to-call's: at most 10,000 clients tracked, those whose failures fell out of the window dropped.
  const failedLogins = createFailureLimiter({ max: o.loginAttemptsPerMinute ?? 5, windowMs: 60_000 });

  app.setErrorHandler((err: { statusCode?: number; validation?: unknown; message: string }, _req, reply) => {
    if (err.validation) return problem(reply, 400, 'BAD_REQUEST', `the request body is not valid: ${err.message}`, 'Send JSON of the shape the route documents (README, docs/DESIGN.md).');
    if (err.statusCode && err.statusCode < 500) return problem(reply, err.statusCode, 'BAD_REQUEST', err.message);
    o.log?.error({ err: err.message }, 'editor request failed');
    return problem(reply, 500, 'INTERNAL', 'the request failed inside hookline', 'See the log.');
  });

  // Authentication and CSRF, before any /api handler.
  const publicRoute = (url: string, method: string) => (o.routes ?? []).some((r) => r.isPublic?.(url, method) ?? false);
  app.addHook('onRequest', async (req, reply) => {
    // The path the router matched, not the raw URL: the router decodes %xx, so /%61pi/hooks is /api/hooks.
    const path = req.routeOptions.url ?? req.url;
    if (!path.startsWith('/api/')) return;
    if (publicRoute(req.url, req.method)) return;
    const isLogin = path === '/api/login';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const type = String(req.headers['content-type'] ?? '');
      if (!type.startsWith('application/json')) {
        return problem(reply, 415, 'JSON_REQUIRED', 'state-changing routes take application/json only', 'Send the body as JSON with Content-Type: application/json.');
      }
      const origin = req.headers.origin;
      if (origin && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) {
        return problem(reply, 403, 'FOREIGN_ORIGIN', `requests from ${origin} are refused`, 'Use the editor from its own address.');
      }
    }
    if (isLogin) return;
    if (!o.auth.session(req.cookies[SESSION_COOKIE])) return problem(reply, 401, 'UNAUTHORIZED', 'log in first', 'POST /api/login with {"username", "password"}.');
  });

  app.post('/api/login', { schema: { body: bodies.login } }, async (req, reply) => {
    const retryAfter = failedLogins.blockedFor(clientKey(req.ip));
    if (retryAfter !== null) {
      reply.header('retry-after', String(retryAfter));
      return problem(reply, 429, 'TOO_MANY_ATTEMPTS', 'too many failed logins from this address', `Wait ${retryAfter} s and try again.`);
    }
    const b = req.body as { username: string; password: string };
    const token = o.auth.login(b.username, b.password);
    if (!token) {
      failedLogins.record(clientKey(req.ip));
      return problem(reply, 401, 'BAD_LOGIN', 'wrong user name or password');
    }
    // Secure when the page is served over HTTPS (a trusted proxy's X-Forwarded-Proto), so the cookie never goes out over plain HTTP.
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: req.protocol === 'https', sameSite: 'strict', path: '/' });
    return { ok: true, username: o.auth.username };
  });

  app.post('/api/logout', async (req, reply) => {
    o.auth.logout(req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: req.protocol === 'https', sameSite: 'strict', path: '/' });
    return { ok: true };
  });

  app.get('/api/hooks', async () => {
    const since = new Date(Date.now() - DAY_MS);
    return {
      hooks: o.store.listHooks().map((h) => ({
        ...h,
        number: hooks[h.hook].number,
        summary: hooks[h.hook].summary,
        failures24h: o.store.failures(h.hook, { since }).length,
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
    return { draft: d, compile: c.ok ? null : c.error };
  });

  app.post('/api/hooks/:hook/publish', { schema: { body: bodies.publish } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const session = o.auth.session(req.cookies[SESSION_COOKIE]);
    let compileError: HooklineError | null = null;
    const r = await o.store.publish(hook, {
      message: (req.body as { message: string }).message,
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
    return { published: o.store.published(hook)?.version ?? null, versions: o.store.versions(hook) };
  });

  app.post('/api/hooks/:hook/rollback', { schema: { body: bodies.rollback } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const session = o.auth.session(req.cookies[SESSION_COOKIE]);
    const r = await o.store.rollback(hook, { author: session?.username ?? 'admin', toVersion: (req.body as { toVersion?: number }).toVersion });
    if (!r.ok) return reply.code(409).send({ error: r.error });
    return { version: r.value };
  });

  app.get('/api/hooks/:hook/captures', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const limit = Number((req.query as { limit?: string }).limit ?? 0) || undefined;
    return { captures: o.store.captures(hook, { limit }) };
  });

  app.post('/api/hooks/:hook/replay', { schema: { body: bodies.replay } }, async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    const b = req.body as { limit?: number; ids?: string[]; source?: string };
    const source = b.source ?? o.store.draft(hook)?.source ?? o.store.published(hook)?.source ?? hooks[hook].template;
    const r = await replay({ store: o.store, runner: o.replayRunner ?? o.runner, hook, draftSource: source, limit: b.limit, ids: b.ids, limits: o.hookLimits?.[hook] });
    if (!r.ok) return reply.code(400).send({ error: r.error });
    return r.report;
  });

  app.get('/api/hooks/:hook/failures', async (req, reply) => {
    const hook = hookOf(req, reply);
    if (!hook) return reply;
    return { failures: o.store.failures(hook) };
  });

  app.get('/api/status', async () => o.status?.() ?? { engine: 'not running' });

  // The page (GET /, /assets, typings) is a route module too (editor/assets.ts), on unless `page: false`.
  for (const r of [...(o.page === false ? [] : [pageRoutes({ log: o.log })]), ...(o.routes ?? [])]) await r.register(app);

  const wss = attachReplayStream(app, o);
  app.addHook('onClose', async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });

  const address = await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 8080 });
  const port = (app.server.address() as { port: number }).port;
  return { url: address, port, app, close: () => app.close() };
}

/**
 * Failed logins per client address in a sliding window. Only failures count, which @fastify/rate-limit
 * cannot do (it counts every request; it has no skip-on-success), so a user who logs in often is never locked out.
 */
/**
 * GET /api/ws (WebSocket): replay results stream as they complete. The upgrade needs the session cookie and,
 * like every state-changing route, refuses a foreign Origin. Send {"type":"replay","hook","limit"?,"ids"?,"source"?};
 * receive {"type":"result",…} per input, then {"type":"summary",summary} (or {"type":"error",error}).
 */
function attachReplayStream(app: FastifyInstance, o: EditorOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  app.server.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '';
    const cookies = app.parseCookie(req.headers.cookie ?? '');
    const origin = req.headers.origin;
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (!url.startsWith('/api/ws')) return refuse('404 Not Found');
    const token = cookies[SESSION_COOKIE];
    if (!o.auth.session(token)) return refuse('401 Unauthorized');
    if (origin && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, token as string));
  });

  function serve(ws: WebSocket, token: string) {
    const bad = (message: string) => ws.send(JSON.stringify({ type: 'error', error: { code: 'BAD_REQUEST', message, hint: '' } }));
    ws.on('message', async (raw) => {
      // The session is checked at every message, not only at the upgrade: a logout or an expiry ends the stream.
      if (!o.auth.session(token)) return ws.close(1008, 'the session has ended; log in again');
      let msg: { type?: unknown; hook?: unknown; limit?: unknown; ids?: unknown; source?: unknown } | null;
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        return bad('send JSON');
      }
      // The same shape as POST /api/hooks/:hook/replay's body; anything else would throw inside replay().
      if (typeof msg !== 'object' || msg === null || msg.type !== 'replay' || !isHookName(msg.hook)) return bad('expected {"type":"replay","hook":<one of the 13 hooks>}');
      const { limit, ids, source: given } = msg;
      if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= 10_000)) return bad('limit must be an integer from 1 to 10000');
      if (ids !== undefined && !(Array.isArray(ids) && ids.length <= 10_000 && ids.every((i) => typeof i === 'string'))) return bad('ids must be an array of at most 10000 capture ids (strings)');
      if (given !== undefined && typeof given !== 'string') return bad('source must be a string');
      const hook = msg.hook;
      const source = given ?? o.store.draft(hook)?.source ?? o.store.published(hook)?.source ?? hooks[hook].template;
      try {
        const r = await replay({
          store: o.store, runner: o.replayRunner ?? o.runner, hook, draftSource: source, limit: limit as number | undefined, ids: ids as string[] | undefined, limits: o.hookLimits?.[hook],
          onResult: (result) => ws.send(JSON.stringify({ type: 'result', result })),
        });
        ws.send(JSON.stringify(r.ok ? { type: 'summary', summary: r.report.summary } : { type: 'error', error: r.error }));
      } catch (err) {
        // A rejection here would be unhandled (an event listener), and an unhandled rejection ends the process.
        o.log?.error({ err: String(err) }, 'editor replay stream failed');
        ws.send(JSON.stringify({ type: 'error', error: { code: 'INTERNAL', message: 'the replay failed inside hookline', hint: 'See the log.' } }));
      }
    });
  }
  return wss;
}
