/**
 * The steps every Kommo request goes through, in the order a real deployment applies them: the request is
 * logged; an injected fault (network or server trouble) wins first; then the edge's IP block (403) and rate
 * limit (429); then the bearer token (401); then the endpoint.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../log/index.ts';
import type { FaultPlan, FaultRule } from './faults.ts';
import type { Query } from './hal.ts';
import { blocked, serverError, tooManyRequests, unauthorized, validationFailed, type SimReply, type TooManyRequestsBody } from './problems.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RequestLog } from './request-log.ts';
import type { RouteContext, RouteDef } from './route.ts';
import type { ParsedBody } from './validate.ts';

export interface PipelineDeps {
  context: () => RouteContext;
  faults: FaultPlan;
  limiter: RateLimiter;
  log: RequestLog;
  nowMs: () => number;
  tooManyRequestsBody: () => TooManyRequestsBody;
  logger: Logger;
  /** Replies held open by a timeout fault; closed when the emulator closes. */
  held: Set<FastifyReply>;
}

function bodyOf(req: FastifyRequest): ParsedBody {
  const b = req.body as ParsedBody | undefined;
  return b && typeof b === 'object' && 'kind' in b ? b : { kind: 'none' };
}

function bodyForLog(b: ParsedBody): unknown {
  if (b.kind === 'json') return b.value;
  if (b.kind === 'invalid') return b.raw;
  return null;
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m?.[1];
}

export function send(reply: FastifyReply, r: SimReply): FastifyReply {
  reply.code(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (r.body === undefined) return reply.send();
  const isText = typeof r.body === 'string';
  reply.header('content-type', `${r.contentType ?? 'application/json'}; charset=utf-8`);
  return reply.send(isText ? r.body : JSON.stringify(r.body));
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers a fault that ends the request; null for a delay, after which the request goes on. */
async function applyFault(f: FaultRule, req: FastifyRequest, reply: FastifyReply, deps: PipelineDeps): Promise<SimReply | 'held' | null> {
  switch (f.kind) {
    case 'delay': await sleep(f.ms); return null;
    case 'error': return serverError(f.status ?? 500);
    case 'rate-limit': return tooManyRequests(deps.tooManyRequestsBody());
    case 'timeout':
      reply.hijack();
      deps.held.add(reply);
      req.raw.socket.once('close', () => deps.held.delete(reply));
      return 'held';
    case 'reset':
      reply.hijack();
      req.raw.socket.destroy();
      return 'held';
    case 'invalid': {
      // As Kommo answers a write it will not take: the first item's request_id (or its index) and the field.
      const b = bodyOf(req);
      const items = b.kind === 'json' && Array.isArray(b.value) ? b.value : [];
      const first = items[0] as Record<string, unknown> | undefined;
      const requestId = first && (typeof first.request_id === 'string' || typeof first.request_id === 'number') ? String(first.request_id) : '0';
      return validationFailed([{ request_id: requestId, errors: [{ code: f.code ?? 'NotSupportedChoice', path: f.field, detail: f.detail ?? 'The value you selected is not a valid choice.' }] }]);
    }
  }
}

/** A fastify handler that runs `def` through the shared steps. */
export function pipelineHandler(def: RouteDef, deps: PipelineDeps) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const body = bodyOf(req);
    const path = req.url.split('?')[0] ?? req.url;
    const rec = deps.log.start({
      time: deps.nowMs(), method: req.method, path, query: { ...(req.query as object) },
      route: `${req.method} ${def.url}`, body: bodyForLog(body),
    });
    const fault = deps.faults.take(req.method, path);
    if (fault) {
      const out = await applyFault(fault, req, reply, deps);
      if (out === 'held') { deps.log.settle(rec, null, null, fault.kind); return undefined; }
      if (out) { deps.log.settle(rec, out.status, out.body, fault.kind); return send(reply, out); }
    }
    const r = answer(def, req, body, path, deps);
    deps.log.settle(rec, r.status, r.body, fault?.kind ?? null);
    return send(reply, r);
  };
}

function answer(def: RouteDef, req: FastifyRequest, body: ParsedBody, path: string, deps: PipelineDeps): SimReply {
  const decision = deps.limiter.admit(req.method === 'GET' ? req.url : undefined);
  if (decision === 'blocked') return blocked();
  if (decision === 'limited') return tooManyRequests(deps.tooManyRequestsBody());
  const ctx = deps.context();
  if (def.auth === 'bearer' && !ctx.tokens.check(bearer(req)).ok) return unauthorized();
  try {
    // "If you get a 504 error, reduce the number of entities in the request" (https://developers.kommo.com/docs/limitations):
    // a write above `gatewayTimeoutAboveItems` times out at the edge (504) and is not done, however often it is sent.
    const items = body.kind === 'json' && Array.isArray(body.value) ? body.value.length : 0;
    if (def.method !== 'GET' && items > ctx.limits.gatewayTimeoutAboveItems) return serverError(504);
    return def.handler({ method: req.method, path, params: (req.params ?? {}) as Record<string, string>, query: (req.query ?? {}) as Query, body }, ctx);
  } catch (e) {
    deps.logger.error({ err: e, route: def.url }, 'sim/kommo: a route threw; answering 500');
    return serverError(500);
  }
}
