/**
 * GET /autodistribution: whom Asterisk routes an incoming call to. The client's contact is found by the
 * caller's phone (cached), its responsible user mapped to an extension, customize_autodistribution runs, and
 * the answer is `<number>,<name>` for the dialplan to split with CUT(), or nothing. The whole answer is
 * bounded by the deadline (default 500 ms): past it, or on any error (unknown client, Kommo down or slow, a
 * failing script), the answer is empty and the call takes its normal route. A ringing caller waits on this
 * request, so the route never waits for more than the deadline.
 *
 * The deadline counts from the request's arrival (fastify's start of the request), not from when the handler
 * runs, and the answer is decided sendReserveMs before it (50 ms of the default 500), so that a timer that fires a little late on a busy
 * machine and the write of the answer still land within it. A look-up that outlives the deadline goes on and fills
 * the cache, but the hook is not run for an answer already given. Ten unknown callers at once measured up to
 * 553 ms against 500 before (issue 15): the timer started in the handler, after the request had waited its turn.
 */
import { isScriptFailure, makeError, type Entity, type HookInput } from '../../contracts/index.ts';
import type { RouteModule } from '../../http/index.ts';
import type { KommoClient } from '../kommo/index.ts';
import { silentLogger, type Logger } from '../../log/index.ts';
import { createExtensionMap } from '../click-to-call/index.ts';
import type { HookInvoker } from '../hooks/index.ts';
import { createAllowList } from './allow-list.ts';
import { cleanName, cleanNumber, formatAnswer, isDialable } from './answer.ts';
import { createLookupCache } from './lookup-cache.ts';

export interface AutodistributionOptions {
  /** The engine's Kommo client (findContactsByPhone, users). */
  kommo: Pick<KommoClient, 'findContactsByPhone' | 'findCompaniesByPhone' | 'users'>;
  /** The engine's HookInvoker. */
  invoker: HookInvoker;
  /** config.users: extension → Kommo user id. */
  users?: Record<string, number>;
  /** config.clickToCall.users: Kommo user id → extension (wins over `users`). */
  userExtensions?: Record<string, string>;
  /** config.autodistribution.allowFrom: addresses or CIDR blocks. Default loopback only. */
  allowFrom?: readonly string[];
  /** config.autodistribution.deadlineMs. Default 500. */
  deadlineMs?: number;
  /** The engine's phone normalizer (config phone rules), applied to `from` before the search. Default: trimmed. */
  normalizePhone?: (raw: string) => string;
  /** How long a found contact / a miss / the users list is kept. Defaults 5 min, 1 min, 10 min. */
  contactTtlMs?: number;
  missTtlMs?: number;
  usersTtlMs?: number;
  log?: Logger;
  now?: () => number;
}

export type DecisionReason =
  | 'routed'
  | 'deadline'
  | 'no-caller'
  | 'no-contact'
  | 'kommo-error'
  | 'no-extension'
  | 'script-failed'
  | 'script-empty'
  | 'not-dialable';

export interface Decision {
  /** The response body: `<number>,<name>` or ''. */
  body: string;
  reason: DecisionReason;
  durationMs: number;
}

export interface DecideOptions {
  /** When the request arrived (performance.now() time); the deadline counts from it. Default: now. */
  arrivedAt?: number;
}

export interface Autodistribution {
  /** Decides for one request's query (from, trunk, optional linkedid), within the deadline. */
  decide(query: Record<string, unknown>, o?: DecideOptions): Promise<Decision>;
  /** GET /autodistribution, for startEditor({ routes }). */
  route: RouteModule;
}

/**
 * How long before the deadline the answer is decided: room for the event loop to be late with the timer (on a busy
 * machine, by tens of ms) and for the answer to be written. A tenth of the deadline, at most 50 ms: the default
 * 500 ms gives Kommo 450 ms and answers by 450 ms when it is slower.
 */
export const sendReserveMs = (deadlineMs: number): number => Math.min(50, Math.floor(deadlineMs / 10));

const first = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '').trim();

export function createAutodistribution(o: AutodistributionOptions): Autodistribution {
  const log = (o.log ?? silentLogger).child({ module: 'autodistribution' });
  const now = o.now ?? Date.now;
  const deadlineMs = o.deadlineMs ?? 500;
  const normalize = o.normalizePhone ?? ((s: string) => s.trim());
  const allow = createAllowList(o.allowFrom ?? ['127.0.0.1', '::1']);
  for (const bad of allow.ignored) log.error({ entry: bad }, `autodistribution.allowFrom: ${JSON.stringify(bad)} is neither an address nor a CIDR block; ignored`);
  const extensions = createExtensionMap({ users: o.users, userExtensions: o.userExtensions });
  const cache = createLookupCache({
    kommo: o.kommo,
    contactTtlMs: o.contactTtlMs ?? 5 * 60_000,
    missTtlMs: o.missTtlMs ?? 60_000,
    usersTtlMs: o.usersTtlMs ?? 10 * 60_000,
    maxEntries: 10_000,
    now,
  });

  // The users list is loaded now, off the call path, so the first call waits for one look-up, not two.
  void cache.userName(0).catch(() => undefined);

  async function resolve(query: Record<string, unknown>, expired: () => boolean): Promise<{ body: string; reason: DecisionReason }> {
    const from = first(query.from);
    const trunk = first(query.trunk);
    const linkedid = first(query.linkedid) || undefined;
    let entity: Entity | null = null;
    let error = '';
    let reason: DecisionReason = 'routed';
    let number = '';
    let name = '';
    if (from === '') {
      error = 'the request has no caller number (from)';
      reason = 'no-caller';
    } else {
      const found = await cache.contact(normalize(from), linkedid);
      entity = found.entity;
      if (!entity) {
        error = found.error ?? 'no contact found';
        reason = error.startsWith('Kommo') ? 'kommo-error' : 'no-contact';
      } else {
        const ext = extensions.extensionOf(entity.responsible_user_id);
        if (ext === null) {
          error = `the responsible user ${entity.responsible_user_id} has no extension in the config (users or clickToCall.users)`;
          reason = 'no-extension';
        } else {
          number = cleanNumber(ext);
          name = cleanName(await cache.userName(entity.responsible_user_id));
        }
      }
    }
    const requestData: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(query)) requestData[k] = v;
    const input: HookInput<'customize_autodistribution'> = {
      number,
      name,
      request_data: requestData,
      ...(from ? { from } : {}),
      ...(trunk ? { trunk } : {}),
      ...(entity ? { entity } : {}),
      ...(error ? { error } : {}),
    };
    // The answer was given already (empty, by the deadline): running the script now would only load the sandbox
    // that the next calls' answers wait on.
    if (expired()) return { body: '', reason: 'deadline' };
    const out = await o.invoker.invoke('customize_autodistribution', input, { linkedid: linkedid ?? null });
    if (out.error && (isScriptFailure(out.error.code) || out.error.code === 'INVALID_INPUT')) {
      // Not the contract's default (the input number): a script that failed here may have been written to
      // keep some calls off the manager, so the call takes its normal route instead of a guess.
      return { body: '', reason: 'script-failed' };
    }
    const data = out.data;
    if (data.number === '') return { body: '', reason: reason === 'routed' ? 'script-empty' : reason };
    if (!isDialable(data.number)) {
      log.warn({ linkedid, number: data.number }, `customize_autodistribution chose ${JSON.stringify(data.number)}, which is not an extension the dialplan can dial; the call takes its normal route`);
      return { body: '', reason: 'not-dialable' };
    }
    return { body: formatAnswer(data.number, data.name), reason: 'routed' };
  }

  async function decide(query: Record<string, unknown>, d0: DecideOptions = {}): Promise<Decision> {
    const t0 = d0.arrivedAt ?? performance.now();
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const late = new Promise<{ body: string; reason: DecisionReason }>((r) => {
      const left = Math.max(0, t0 + deadlineMs - sendReserveMs(deadlineMs) - performance.now());
      timer = setTimeout(() => {
        expired = true;
        r({ body: '', reason: 'deadline' });
      }, left);
    });
    const work = resolve(query, () => expired).catch((e: unknown) => {
      log.error({ err: String(e) }, 'autodistribution failed; the call takes its normal route');
      return { body: '', reason: 'kommo-error' as const };
    });
    const d = await Promise.race([work, late]);
    clearTimeout(timer);
    const durationMs = performance.now() - t0;
    log.info({ linkedid: first(query.linkedid) || undefined, from: first(query.from), trunk: first(query.trunk), reason: d.reason, answer: d.body, durationMs: Math.round(durationMs) },
      d.body ? `autodistribution: route to ${d.body}` : `autodistribution: normal route (${d.reason})`);
    return { ...d, durationMs };
  }

  const route: RouteModule = {
    name: 'autodistribution',
    isPublic: (url) => url === '/autodistribution' || url.startsWith('/autodistribution?'),
    register(app) {
      app.get('/autodistribution', async (req, reply) => {
        // req.ip, not the socket's address: behind a proxy named in editor.trustProxy every request comes from
        // the proxy (often loopback, which allowFrom allows by default); X-Forwarded-For names the client then.
        const address = req.ip;
        if (!allow.allows(address)) {
          log.warn({ address }, 'autodistribution request from an address not in autodistribution.allowFrom refused');
          return reply.code(403).send({ error: makeError('AUTODISTRIBUTION_FORBIDDEN', { address }) });
        }
        // reply.elapsedTime: since fastify took the request, before the hooks and the allow-list ran.
        const d = await decide((req.query ?? {}) as Record<string, unknown>, { arrivedAt: performance.now() - reply.elapsedTime });
        return reply.code(200).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(d.body);
      });
    },
  };

  return { decide, route };
}
