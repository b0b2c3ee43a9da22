/**
 * GET /metrics on the service's HTTP server (http/). A Prometheus scraper has no session, so the route
 * authenticates on its own: with `metrics.token` configured it wants `Authorization: Bearer <token>` from any
 * address; without one it answers loopback clients only (a scraper on the same host), and tells anyone else how
 * to get in. The client is `req.ip`, as for the server's other allow-lists: the socket's address, or behind a
 * reverse proxy named in editor.trustProxy the client its X-Forwarded-For names (the proxy itself is usually
 * loopback).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteModule } from '../http/index.ts';
import type { Status } from './status.ts';
import type { ErrorCode } from '../contracts/index.ts';

export interface MetricsRouteOptions {
  /** The bearer token scrapers must send (config `metrics.token`); none: loopback clients only. */
  token?: string | null;
}

export const METRICS_PATH = '/metrics';

/** 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function problem(reply: FastifyReply, status: number, code: ErrorCode, message: string, hint: string) {
  return reply.code(status).send({ error: { code, message, hint } });
}

export function metricsRoutes(status: Pick<Status, 'metricsText'>, o: MetricsRouteOptions = {}): RouteModule {
  const token = o.token ? digest(o.token) : null;
  const allowed = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (token) {
      const m = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      // Hashes of equal length, so the comparison takes the same time whatever was sent.
      if (m && timingSafeEqual(digest((m[1] as string).trim()), token)) return true;
      reply.header('www-authenticate', 'Bearer realm="hookline metrics"');
      void problem(reply, 401, 'METRICS_UNAUTHORIZED', `${METRICS_PATH} needs the metrics token`, 'Send Authorization: Bearer <metrics.token from the configuration>.');
      return false;
    }
    if (isLoopback(req.ip)) return true;
    void problem(
      reply,
      403,
      'METRICS_LOOPBACK_ONLY',
      `${METRICS_PATH} answers only this host when no metrics token is set (the request came from ${req.ip || 'an unknown address'})`,
      'Set metrics.token in the configuration and have the scraper send Authorization: Bearer <token>, or scrape from this host.',
    );
    return false;
  };
  return {
    name: 'metrics',
    isPublic: (url, method) => (url === METRICS_PATH || url.startsWith(`${METRICS_PATH}?`)) && (method === 'GET' || method === 'HEAD'),
    register(app) {
      app.get(METRICS_PATH, async (req, reply) => {
        if (!allowed(req, reply)) return reply;
        const m = await status.metricsText();
        return reply.header('content-type', m.contentType).header('cache-control', 'no-store').send(m.body);
      });
    },
  };
}
