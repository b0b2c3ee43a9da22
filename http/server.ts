/**
 * The service's one HTTP server (fastify): the error answers, body parsing, the Host check (hosts.ts), the
 * session and CSRF gate (gate.ts), login and logout (login.ts), then the route modules it is given. It knows no feature: the editor,
 * status, metrics, recordings, click-to-call and autodistribution are route modules handed to it.
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../log/index.ts';
import type { Auth } from './auth.ts';
import { addGate } from './gate.ts';
import { addHostCheck } from './hosts.ts';
import { addLoginRoutes } from './login.ts';
import { problem } from './problem.ts';
import type { RouteModule } from './route-module.ts';

/** fastify's default, named: the longest path parameter (`:hook`) a route takes; longer is 414 URL_TOO_LONG. */
const MAX_PARAM_LENGTH = 100;

export interface HttpOptions {
  auth: Auth;
  host?: string;
  port?: number;
  log?: Logger;
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
   * The host names the server answers to besides `host` (the listen address), `localhost` and IP literals: other
   * Hosts get 421 (hosts.ts, against DNS rebinding). app/ passes editor.hosts and the host of
   * recordings.publicBaseUrl.
   */
  hosts?: readonly string[];
  /**
   * Every feature's routes, registered in this order after login and logout. A request for which a module's
   * `isPublic(url, method)` is true skips the session, JSON-only and Origin checks.
   */
  routes?: readonly RouteModule[];
}

export interface HttpServer {
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startHttp(o: HttpOptions): Promise<HttpServer> {
  const routes = o.routes ?? [];
  const app = Fastify({
    logger: false, bodyLimit: 2 * 1024 * 1024, trustProxy: o.trustProxy?.length ? [...o.trustProxy] : false,
    // Fastify's Ajv removes properties a schema does not allow instead of refusing them: a typo such as
    // {"toversion": 1} would be dropped and roll back to the previous version. And it converts types: a
    // {"source": 1} was saved as the draft "1". Both refused with a 400 instead (no route validates a query
    // string or params by schema, where converting would be wanted).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // Errors fastify answers before any route runs, in our shape and without the URL: fastify's own bodies echo
    // the whole path (a 414 repeated every byte of an over-long URL back).
    frameworkErrors: (err, _req, reply) => {
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return problem(reply, 414, 'URL_TOO_LONG', `a part of the URL path is longer than ${MAX_PARAM_LENGTH} characters`, 'Check the link or the route: no hookline route takes a path part that long.');
      if (err.code === 'FST_ERR_BAD_URL') return problem(reply, 400, 'BAD_REQUEST', 'the URL path cannot be decoded (a malformed %-escape)', 'Percent-encode the path as UTF-8.');
      o.log?.error({ err: err.message, code: err.code }, 'request refused by the HTTP framework');
      return problem(reply, 500, 'INTERNAL', 'the request failed inside hookline', 'See the log.');
    },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  await app.register(cookie);

  app.setErrorHandler((err: { statusCode?: number; validation?: unknown; message: string }, _req, reply) => {
    if (err.validation) return problem(reply, 400, 'BAD_REQUEST', `the request body is not valid: ${err.message}`, 'Send JSON of the shape the route documents (README, docs/DESIGN.md).');
    if (err.statusCode && err.statusCode < 500) return problem(reply, err.statusCode, 'BAD_REQUEST', err.message);
    o.log?.error({ err: err.message }, 'editor request failed');
    return problem(reply, 500, 'INTERNAL', 'the request failed inside hookline', 'See the log.');
  });

  app.setNotFoundHandler((req, reply) => {
    // The path, cut short: a long URL is not repeated back whole.
    const path = (req.url.split('?')[0] ?? '').slice(0, 100);
    return problem(reply, 404, 'NOT_FOUND', `there is no route ${req.method} ${path}${path.length === 100 ? '…' : ''}`, 'See the README for the routes hookline serves; the editor is at /.');
  });

  addHostCheck(app, [...(o.hosts ?? []), o.host ?? '127.0.0.1'], routes);
  addGate(app, o.auth, routes);
  addLoginRoutes(app, o.auth, o.loginAttemptsPerMinute);
  for (const r of routes) await r.register(app);

  const address = await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 8080 });
  const port = (app.server.address() as { port: number }).port;
  return { url: address, port, app, close: () => app.close() };
}
