/**
 * POST /api/click-to-call: a Kommo widget asks hookline to call a client for a user. The order of checks is
 * the order of what could go wrong cheapest first, and nothing reaches the hook or AMI before the request is
 * known to be authentic and clean:
 *   token configured? (503) → too many wrong tokens from this address? (429, the token not checked) →
 *   bearer token (401) → body shape, control characters, a number clickToCall.dialable refuses (400) → user → extension
 *   (404) → process_originate_params → parameters checked again → AMI Originate (async) → {ok, actionId}.
 * The call itself is then an ordinary call to the engine: the tracker follows it from AMI like any other.
 */
import type { FastifyReply } from 'fastify';
import { makeError, type ErrorCode, type ErrorParams } from '../../contracts/index.ts';
import { clientKey, createFailureLimiter, type RouteModule } from '../../http/index.ts';
import { silentLogger, type Logger } from '../../log/index.ts';
import { header, type AmiMessage } from '../../ami-wire/index.ts';
import type { AmiClient } from '../ami/index.ts';
import { bearerToken, tokenMatches } from './bearer.ts';
import { createExtensionMap } from './extensions.ts';
import type { HookInvoker } from '../hooks/index.ts';
import { buildParams, paramsProblem, type OriginateParams } from './originate-params.ts';
import { checkRequest, DEFAULT_DIALABLE } from './request.ts';

export interface ClickToCallOptions {
  /** The engine's AMI client. */
  ami: Pick<AmiClient, 'action' | 'on' | 'connected'>;
  /** The engine's HookInvoker. */
  invoker: HookInvoker;
  /** config.clickToCall.token (resolved); absent: the route answers 503. */
  token?: string;
  /** config.users: extension → Kommo user id. */
  users?: Record<string, number>;
  /** config.clickToCall.users: Kommo user id → extension (wins). */
  userExtensions?: Record<string, string>;
  /** config.clickToCall.context. Default 'from-internal'. */
  context?: string;
  /** config.clickToCall.channel. Default 'PJSIP/{extension}'. */
  channel?: string;
  /** config.clickToCall.callerId. Default '"{number}" <{extension}>'. */
  callerId?: string;
  /**
   * config.clickToCall.dialable: the numbers a request may ask for (a regular expression, tested on the number
   * without spaces, dashes, dots and brackets). Default DEFAULT_DIALABLE: digits with an optional leading +.
   */
  dialable?: string;
  /** config.clickToCall.ringTimeoutSec. Default 30. */
  ringTimeoutSec?: number;
  /** Wrong bearer tokens from one client address within `tokenWindowMs` before its requests are answered 429 (token not checked). Default 10. */
  tokenFailures?: number;
  /** The sliding window of `tokenFailures`, in ms. Default 60_000. */
  tokenWindowMs?: number;
  /** Client addresses whose wrong tokens are tracked at most (past it, the one whose last failure is oldest is dropped). Default 10_000. */
  tokenAddresses?: number;
  /** The clock of the wrong-token limiter, in ms, for tests. Default performance.now. */
  now?: () => number;
  log?: Logger;
}

export type ClickResult =
  | { ok: true; status: 200; actionId: string; params: OriginateParams }
  | { ok: false; status: number; error: ReturnType<typeof makeError>; /** With 429: the Retry-After header, in seconds. */ retryAfterSec?: number };

export interface ClickToCall {
  /**
   * The whole request, from its Authorization header and body to the Originate. `address` is the client's
   * (the route passes the request's); wrong tokens are counted per address, and calls without one share a count.
   */
  handle(authorization: string | undefined, body: unknown, address?: string): Promise<ClickResult>;
  /** POST /api/click-to-call, for startEditor({ routes }). */
  route: RouteModule;
  /** Stop following OriginateResponse events. */
  close(): void;
}

const PATH = '/api/click-to-call';
/** A click-to-call body is two fields; anything near this size is not one. */
const BODY_LIMIT = 16 * 1024;
/** How long an action id is remembered for its OriginateResponse (after the ring time). */
const FOLLOW_GRACE_MS = 60_000;

export function createClickToCall(o: ClickToCallOptions): ClickToCall {
  const log = (o.log ?? silentLogger).child({ module: 'click-to-call' });
  const extensions = createExtensionMap({ users: o.users, userExtensions: o.userExtensions });
  const templates = { channel: o.channel ?? 'PJSIP/{extension}', callerId: o.callerId ?? '"{number}" <{extension}>', context: o.context ?? 'from-internal' };
  const ringMs = (o.ringTimeoutSec ?? 30) * 1000;
  const dialable = new RegExp(o.dialable ?? DEFAULT_DIALABLE);
  let seq = 0;
  const prefix = `hl-c2c-${process.pid.toString(36)}-${Date.now().toString(36)}-`;
  const following = new Map<string, { number: string; userId: number; timer: NodeJS.Timeout }>();
  const limits = { max: o.tokenFailures ?? 10, windowMs: o.tokenWindowMs ?? 60_000, maxAddresses: o.tokenAddresses ?? 10_000 };
  const failures = createFailureLimiter({ ...limits, now: o.now });

  // The outcome of the call arrives later as OriginateResponse (to every AMI session); it is logged here so
  // "rang the user but never dialled out" has a line that says why (Reason: 1 hangup, 3 no answer, 5 busy …).
  const off = o.ami.on('message', (m: AmiMessage) => {
    if (header(m, 'Event') !== 'OriginateResponse') return;
    const id = header(m, 'ActionID');
    const f = id === undefined ? undefined : following.get(id);
    if (!f || id === undefined) return;
    clearTimeout(f.timer);
    following.delete(id);
    const reason = header(m, 'Reason');
    const fields = { actionId: id, number: f.number, userId: f.userId, response: header(m, 'Response'), reason, channel: header(m, 'Channel'), uniqueid: header(m, 'Uniqueid') };
    if (fields.response === 'Success') log.info(fields, `click-to-call ${id}: the user answered; dialling ${f.number}`);
    else log.warn(fields, `click-to-call ${id}: the user's phone did not answer (Reason ${reason ?? '?'}: 1 hung up, 3 no answer, 5 busy, 8 congestion, 0 failed); ${f.number} was not dialled`);
  });

  const refuse = (status: number, code: ErrorCode, params: ErrorParams = {}): ClickResult => ({ ok: false, status, error: makeError(code, params) });

  async function handle(authorization: string | undefined, body: unknown, address?: string): Promise<ClickResult> {
    if (!o.token) return refuse(503, 'CLICK_TO_CALL_DISABLED');
    // Checked before the token, and the token is then not looked at: a right guess during the block is not confirmed.
    const key = clientKey(address); // an IPv6 client is counted by its /64
    const retryAfterSec = failures.blockedFor(key);
    if (retryAfterSec !== null) return { ok: false, status: 429, error: makeError('CLICK_TO_CALL_TOO_MANY_ATTEMPTS', { address: key, retryAfterSec }), retryAfterSec };
    const given = bearerToken(authorization);
    if (given === null) return refuse(401, 'CLICK_TO_CALL_UNAUTHORIZED', { detail: authorization ? 'the Authorization header is not "Bearer <token>"' : 'no Authorization header' });
    if (!tokenMatches(given, o.token)) {
      // Only a wrong token counts (no header or another scheme guesses nothing), so the right one never blocks.
      if (failures.record(key)) {
        const sec = failures.blockedFor(key);
        log.warn({ address: key, failures: limits.max, windowMs: limits.windowMs, retryAfterSec: sec }, `click-to-call: ${limits.max} wrong tokens from ${key} within ${limits.windowMs / 1000} s; its requests are refused (429, token not checked) for ${sec} s`);
      }
      return refuse(401, 'CLICK_TO_CALL_UNAUTHORIZED', { detail: 'the bearer token is not the configured clickToCall.token' });
    }
    const req = checkRequest(body, dialable);
    if (!req.ok) return refuse(400, 'CLICK_TO_CALL_BAD_REQUEST', { detail: req.detail });
    const { number, userId, requestData } = req.value;
    const extension = extensions.extensionOf(userId);
    if (extension === null) return refuse(404, 'CLICK_TO_CALL_UNKNOWN_USER', { userId });

    const actionId = `${prefix}${++seq}`;
    const base = buildParams(templates, number, extension);
    const baseProblem = paramsProblem(base);
    if (baseProblem) return refuse(500, 'CLICK_TO_CALL_BAD_PARAMS', { detail: `the clickToCall templates or the extension of user ${userId} give bad parameters: ${baseProblem}` });
    const out = await o.invoker.invoke('process_originate_params', { ...base, request_data: requestData }, { linkedid: null });
    // On a failing script `data` is the input's parameters (the hook's default): the call still goes out.
    const params = out.data;
    const problem = paramsProblem(params);
    if (problem) {
      log.error({ actionId, params }, `process_originate_params gave parameters that cannot be sent: ${problem}`);
      return refuse(500, 'CLICK_TO_CALL_BAD_PARAMS', { detail: `process_originate_params gave parameters that cannot be sent (${problem}); nothing was sent to Asterisk` });
    }
    if (!o.ami.connected) return refuse(503, 'CLICK_TO_CALL_AMI_UNAVAILABLE', { detail: 'reconnecting' });
    // Followed before it is sent: the OriginateResponse of a quick failure can arrive in the same read as
    // the action's own response, before the awaited answer below resumes.
    const forget = () => {
      clearTimeout(following.get(actionId)?.timer);
      following.delete(actionId);
    };
    following.set(actionId, { number: params.extension, userId, timer: setTimeout(forget, ringMs + FOLLOW_GRACE_MS).unref() });
    const r = await o.ami.action({
      Action: 'Originate',
      ActionID: actionId,
      Channel: params.channel,
      Context: params.context,
      Exten: params.extension,
      Priority: String(params.priority),
      CallerID: params.caller_id,
      Timeout: String(ringMs),
      Async: 'true',
    });
    if (!r.ok) {
      forget();
      log.warn({ actionId, code: r.error.code, params }, `click-to-call: Originate failed: ${r.error.message}`);
      if (r.error.code === 'AMI_ACTION_ERROR') return refuse(502, 'CLICK_TO_CALL_REFUSED', { detail: (r.error.response && header(r.error.response, 'Message')) ?? r.error.message });
      return refuse(503, 'CLICK_TO_CALL_AMI_UNAVAILABLE', { detail: r.error.message });
    }
    log.info({ actionId, userId, params, hookError: out.error?.code }, `click-to-call ${actionId}: ringing ${params.channel}, then ${params.extension} in ${params.context}`);
    return { ok: true, status: 200, actionId, params };
  }

  const send = (reply: FastifyReply, r: ClickResult) => {
    if (r.ok) return reply.code(200).send({ ok: true, actionId: r.actionId });
    if (r.retryAfterSec !== undefined) reply.header('retry-after', String(r.retryAfterSec));
    return reply.code(r.status).send({ ok: false, error: r.error });
  };

  const route: RouteModule = {
    name: 'click-to-call',
    isPublic: (url, method) => method === 'POST' && (url === PATH || url.startsWith(`${PATH}?`)),
    // The bearer token is the credential, which a DNS-rebinding page does not have; the widget's URL may use any name.
    anyHost: (url, method) => method === 'POST' && (url === PATH || url.startsWith(`${PATH}?`)),
    async register(app) {
      await app.register(async (scope) => {
        // Kommo widgets post through crm_post, which sends a form; JSON is taken as usual.
        scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, text, done) => {
          done(null, Object.fromEntries(new URLSearchParams(String(text))));
        });
        scope.post(PATH, { bodyLimit: BODY_LIMIT }, async (req, reply) => send(reply, await handle(req.headers.authorization, req.body, req.ip)));
      });
    },
  };

  return {
    handle,
    route,
    close() {
      off();
      for (const f of following.values()) clearTimeout(f.timer);
      following.clear();
    },
  };
}
