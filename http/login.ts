/** POST /api/login and POST /api/logout: the session cookie, and failed logins limited per client address. */
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, type Auth } from './auth.ts';
import { clientKey } from './client-key.ts';
import { createFailureLimiter } from './failures.ts';
import { problem } from './problem.ts';

const str = { type: 'string' } as const;
const loginBody = { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username: str, password: str } } as const;

export function addLoginRoutes(app: FastifyInstance, auth: Auth, loginAttemptsPerMinute = 5): void {
  // Bounded like click-to-call's: at most 10,000 clients tracked, those whose failures fell out of the window dropped.
  const failedLogins = createFailureLimiter({ max: loginAttemptsPerMinute, windowMs: 60_000 });

  app.post('/api/login', { schema: { body: loginBody } }, async (req, reply) => {
    const retryAfter = failedLogins.blockedFor(clientKey(req.ip));
    if (retryAfter !== null) {
      reply.header('retry-after', String(retryAfter));
      return problem(reply, 429, 'TOO_MANY_ATTEMPTS', 'too many failed logins from this address', `Wait ${retryAfter} s and try again.`);
    }
    const b = req.body as { username: string; password: string };
    const token = auth.login(b.username, b.password);
    if (!token) {
      failedLogins.record(clientKey(req.ip));
      return problem(reply, 401, 'BAD_LOGIN', 'wrong user name or password');
    }
    // Secure when the page is served over HTTPS (a trusted proxy's X-Forwarded-Proto), so the cookie never goes out over plain HTTP.
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: req.protocol === 'https', sameSite: 'strict', path: '/' });
    return { ok: true, username: auth.username };
  });

  app.post('/api/logout', async (req, reply) => {
    auth.logout(req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: req.protocol === 'https', sameSite: 'strict', path: '/' });
    return { ok: true };
  });
}
