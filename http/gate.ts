/**
 * The session and CSRF gate, before any /api handler. Every /api route but login answers 401 without a session.
 * CSRF: the session cookie is SameSite=Strict, and every state-changing route takes only `application/json`
 * bodies (which a cross-site form cannot send without a CORS preflight, and we answer none) and refuses a foreign
 * `Origin`; so a client holding the cookie and sending JSON can use every route, and a page elsewhere cannot.
 * A route module's public requests (`RouteModule.isPublic`) pass untouched: they authenticate on their own.
 */
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, type Auth } from './auth.ts';
import { problem } from './problem.ts';
import type { RouteModule } from './route-module.ts';

/** An `Origin` header naming another site than the one the request was sent to (`Host`). No Origin is not foreign. */
export function isForeignOrigin(origin: string | undefined, host: string | undefined): boolean {
  return !!origin && origin !== `http://${host}` && origin !== `https://${host}`;
}

export function addGate(app: FastifyInstance, auth: Auth, routes: readonly RouteModule[]): void {
  const publicRoute = (url: string, method: string) => routes.some((r) => r.isPublic?.(url, method) ?? false);
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
      // req.host: the Host, or behind a proxy named in editor.trustProxy its X-Forwarded-Host (the name the browser used).
      if (isForeignOrigin(origin, req.host)) {
        return problem(reply, 403, 'FOREIGN_ORIGIN', `requests from ${origin} are refused`, 'Use the editor from its own address.');
      }
    }
    if (isLogin) return;
    if (!auth.session(req.cookies[SESSION_COOKIE])) return problem(reply, 401, 'UNAUTHORIZED', 'log in first', 'POST /api/login with {"username", "password"}.');
  });
}
