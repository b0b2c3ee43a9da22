/**
 * One Kommo operation: wait for a rate-limit slot, send with the current token, read the answer, and retry
 * what is worth retrying (429, 5xx, timeouts, network failures) with exponential backoff and jitter.
 * A 401 refreshes an OAuth token once; a long-lived token's 401 is final. A 403 block stops every request
 * for `blockBackoffMs`: they fail at once with KOMMO_BLOCKED instead of reaching Kommo, since requests sent
 * during a block only prolong it. A 429 holds the whole limiter, not just the request that got it, because
 * 20 refusals within a minute turn into that block (sim/kommo limits.ts).
 */
import type { Logger } from '../../log/index.ts';
import type { AuthSession } from './auth.ts';
import { retryDelay, type RetryOptions } from './backoff.ts';
import { classify } from './classify.ts';
import { failure, kommoError, success, summarize, type KommoErrorCode, type KommoErrorDetail, type KommoResult } from './errors.ts';
import type { Http, HttpMethod, HttpRequest } from './http.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface RequestContext {
  /** The call this request is for: named in error messages and log lines. */
  linkedid?: string;
}

export interface KommoRequest {
  method: HttpMethod;
  path: string;
  query?: HttpRequest['query'];
  body?: unknown;
  ctx?: RequestContext;
  /** The token endpoint: no bearer, and 400/401 mean the refresh was refused. */
  tokenEndpoint?: boolean;
  /** A write that creates entities Kommo cannot tell apart from a second copy (see RetryOptions.ambiguousWrites). */
  createsEntities?: boolean;
}

export interface KommoResponse {
  status: number;
  /** Parsed JSON; undefined for 204. */
  body: unknown;
}

export interface Transport {
  request(req: KommoRequest): Promise<KommoResult<KommoResponse>>;
  /** When the current block pause ends (client clock, ms), or null. */
  blockedUntil(): number | null;
}

export interface TransportDeps {
  http: Http;
  limiter: RateLimiter;
  /** The auth session (a function: it is built after the transport, since refreshing goes through it). */
  auth: () => AuthSession;
  retry: RetryOptions;
  timeoutMs: number;
  /** Kommo's rate window: the least wait after a 429. */
  rateWindowMs: number;
  blockBackoffMs: number;
  now: () => number;
  logger: Logger;
  random?: () => number;
}

/** 'GET /api/v4/contacts/:id' from 'GET /api/v4/contacts/1000001': the route without ids, for logs and errors. */
export function routeOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/:id').replace(/\/[0-9a-f]{40}(?=\/|$)/g, '/:uid')}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createTransport(deps: TransportDeps): Transport {
  const log = deps.logger;
  let blockedUntil = 0;

  function blocked(route: string, linkedid: string | undefined, attempts: number, detail?: KommoErrorDetail) {
    const retryAfterMs = Math.max(0, blockedUntil - deps.now());
    return failure<KommoResponse>(kommoError('KOMMO_BLOCKED', {
      route, linkedid, status: 403, attempts, retryAfterMs, extra: { backoffMs: retryAfterMs }, ...(detail ? { detail } : {}),
    }));
  }

  async function request(req: KommoRequest): Promise<KommoResult<KommoResponse>> {
    const route = routeOf(req.method, req.path);
    const linkedid = req.ctx?.linkedid;
    const auth = req.tokenEndpoint ? null : deps.auth();
    let attempts = 0;
    let retries = 0;
    let renewed = false;
    const fail = (code: KommoErrorCode, status: number | undefined, detail: KommoErrorDetail | undefined, maybeWritten = false) => {
      const extra: Record<string, unknown> = { timeoutMs: deps.timeoutMs };
      if (auth) extra.auth = auth.kind;
      const e = kommoError(code, { route, linkedid, status, attempts, summary: summarize(detail), extra, maybeWritten, ...(detail ? { detail } : {}) });
      log.warn({ code, route, linkedid, status, attempts, maybeWritten }, `kommo: ${e.message}`);
      return failure<KommoResponse>(e);
    };

    for (;;) {
      if (deps.now() < blockedUntil) return blocked(route, linkedid, attempts);
      let token: string | undefined;
      if (auth) {
        const t = await auth.current({ route, linkedid });
        if (!t.ok) return t;
        token = t.value;
      }
      const slot = await deps.limiter.acquire();
      if (deps.now() < blockedUntil) {
        slot.release();
        return blocked(route, linkedid, attempts);
      }
      attempts += 1;
      const started = performance.now();
      const out = await deps.http.send({ method: req.method, path: req.path, query: req.query, body: req.body, token });
      slot.release();
      const d = classify(out, req.tokenEndpoint);
      log.debug({ route, path: req.path, linkedid, attempt: attempts, status: out.kind === 'response' ? out.status : out.kind, ms: Math.round(performance.now() - started) }, 'kommo: answer');

      switch (d.kind) {
        case 'ok':
          return success({ status: d.status, body: d.body });
        case 'fail':
          return fail(d.code, d.status, d.detail);
        case 'blocked':
          blockedUntil = deps.now() + deps.blockBackoffMs;
          log.error({ route, linkedid, backoffMs: deps.blockBackoffMs }, 'kommo: Kommo blocked this IP address (403); nothing is sent until the pause ends');
          return blocked(route, linkedid, attempts, d.detail);
        case 'unauthorized': {
          if (!auth || renewed || !token) return fail('KOMMO_UNAUTHORIZED', 401, d.detail);
          renewed = true;
          const r = await auth.renew(token, { route, linkedid });
          if (r === null) return fail('KOMMO_UNAUTHORIZED', 401, d.detail);
          if (!r.ok) return r;
          continue;
        }
        case 'retry': {
          const detail = d.detail ?? (d.code === 'KOMMO_TIMEOUT' ? { body: `no answer within ${deps.timeoutMs} ms` } : undefined);
          const maybeWritten = d.ambiguous && req.createsEntities === true;
          if (maybeWritten && !deps.retry.ambiguousWrites) return fail(d.code, d.status, detail, true);
          if (retries >= deps.retry.retries) return fail(d.code, d.status, detail, maybeWritten);
          retries += 1;
          let delay = retryDelay(retries, deps.retry, deps.random);
          if (d.code === 'KOMMO_RATE_LIMITED') {
            delay = Math.max(delay, deps.rateWindowMs);
            deps.limiter.holdFor(delay);
            deps.limiter.slowDown();
          }
          log.warn({ code: d.code, route, linkedid, status: d.status, attempt: attempts, delayMs: delay }, 'kommo: retrying');
          await sleep(delay);
          continue;
        }
      }
    }
  }

  return {
    request,
    blockedUntil: () => (deps.now() < blockedUntil ? blockedUntil : null),
  };
}
