/**
 * The capability layer: one session per invocation, in one of two modes.
 *   live      the calls are carried out (fetch by the host, kommo.request through the engine's client, the store
 *             in the data folder), each recorded with its answer (`calls()`, kept in the invocation's capture).
 *   recorded  nothing is carried out: reads are answered from recorded calls (a capture's, or a call story's),
 *             matched by kind, method, URL/path/key and body; a read with no recorded answer fails with
 *             NOT_IN_CAPTURE. Writes (a fetch that is not GET/HEAD, a Kommo write, store.set) are listed in
 *             `wouldSend()` and answered with their recorded answer, or with a dry answer (fetch: status 202 with
 *             `dryRun: true`, kommo: `{status: 202, body: null, dryRun: true}`) when the capture has none.
 * Replay, dry runs and shadow runs open `recorded` sessions: they never act.
 */
import { capError, CapabilityError } from './errors.ts';
import { checkRequest, hostFetch, normaliseUrl, type FetchAnswer } from './fetch.ts';
import { grantsOf, KOMMO_MAX_REQUESTS, redactUrl, STORE_MAX_CALLS, type Grants, type HookGrantConfig } from './grants.ts';
import { checkKommoCall, type KommoRequester } from './kommo.ts';
import { systemResolver, type Resolver } from './address.ts';
import { createHookStore, type HookStore } from './store.ts';

export type CapabilityKind = 'fetch' | 'kommo' | 'store.get' | 'store.set';

/** One capability call and its answer, as recorded in a capture and served back in `recorded` mode. */
export interface CapabilityCall {
  kind: CapabilityKind;
  /** HTTP method (fetch, kommo); GET for store.get, SET for store.set. */
  method: string;
  /** fetch: the normalised URL; kommo: the path (with its query); store: the key. */
  target: string;
  /** The request body as sent (fetch: the text; kommo: JSON text; store.set: the value's JSON text), or null. */
  body: string | null;
  write: boolean;
  answer: { ok: true; value: unknown } | { ok: false; code: string; message: string };
  ms: number;
}

/** A write a `recorded` session did not perform. */
export interface WouldSend {
  kind: CapabilityKind;
  method: string;
  /** As shown: query values dropped for fetch. */
  target: string;
  body: string | null;
  /** The capture held an answer for it (served to the script), else a dry answer was given. */
  recorded: boolean;
}

export type CapabilityMode = { kind: 'live' } | { kind: 'recorded'; calls: readonly CapabilityCall[] };

export interface LogLine {
  level: 'info' | 'warn';
  text: string;
}

export interface CapabilitySession {
  call(name: string, argJson: string): Promise<string>;
  /** The invocation ended: calls in flight are aborted (a fetch) or their answers dropped (Kommo, store). */
  end(): void;
  logs(): LogLine[];
  /** Every call made, with its answer (live: as carried out; recorded: as served). */
  calls(): CapabilityCall[];
  wouldSend(): WouldSend[];
}

export interface SessionOptions {
  hook: string;
  linkedid?: string | null;
  /** The hook's own timeout: every call ends within it (counted from when the session opened). */
  timeoutMs: number;
  mode?: CapabilityMode;
}

export interface CapabilitiesOptions {
  /** The config's `hooks` section: each hook's `fetch`, `kommo`, `store` grants. */
  hooks?: Partial<Record<string, HookGrantConfig | undefined>>;
  /** The folder of the hooks' stores (`<dataDir>/hook-store`); without it store calls are refused. */
  storeDir?: string | null;
  /** The engine's Kommo client (a function: it is made after the hook invoker). */
  kommo?: () => KommoRequester | null;
  resolve?: Resolver;
  now?: () => number;
}

export interface CapabilityHost {
  session(o: SessionOptions): CapabilitySession;
  grants(hook: string): Grants;
}

/** The largest answer kept in a recording: bigger ones are recorded as not recordable (a replay then says so). */
const RECORD_MAX_CHARS = 64 * 1024;

const ok = (value: unknown) => JSON.stringify({ ok: true, value });
const failed = (code: string, message: string) => JSON.stringify({ ok: false, code, message });
const keyOf = (kind: string, method: string, target: string, body: string | null) => `${kind}\u0000${method}\u0000${target}\u0000${body ?? ''}`;

export function createCapabilities(o: CapabilitiesOptions = {}): CapabilityHost {
  const byHook = new Map<string, Grants>();
  const grants = (hook: string) => {
    let g = byHook.get(hook);
    if (!g) byHook.set(hook, (g = grantsOf(o.hooks?.[hook] ?? undefined)));
    return g;
  };
  const store: HookStore | null = o.storeDir ? createHookStore(o.storeDir, o.now) : null;
  const resolve = o.resolve ?? systemResolver;

  return {
    grants,
    session(s) {
      const g = grants(s.hook);
      const mode = s.mode ?? { kind: 'live' };
      const openedAt = performance.now();
      const budget = () => s.timeoutMs - (performance.now() - openedAt);
      const ended = new AbortController();
      const lines: LogLine[] = [];
      const calls: CapabilityCall[] = [];
      const would: WouldSend[] = [];
      const inFlight = new Set<string>();
      const counts = { fetch: 0, kommo: 0, store: 0 };
      // Recorded answers, consumed in order per request (the same request twice gets the two answers).
      const recorded = new Map<string, CapabilityCall[]>();
      if (mode.kind === 'recorded') {
        for (const c of mode.calls) {
          const k = keyOf(c.kind, c.method, c.target, c.body);
          const list = recorded.get(k);
          if (list) list.push(c);
          else recorded.set(k, [c]);
        }
      }
      const served = new Map<string, number>();
      const fromRecording = (kind: CapabilityKind, method: string, target: string, body: string | null): CapabilityCall | null => {
        const k = keyOf(kind, method, target, body);
        const list = recorded.get(k);
        if (!list?.length) return null;
        const i = served.get(k) ?? 0;
        served.set(k, i + 1);
        return list[Math.min(i, list.length - 1)] as CapabilityCall;
      };

      /** Runs one call: carried out (live) or answered from the recording (recorded); logged; kept in calls(). */
      async function perform(
        kind: CapabilityKind, method: string, target: string, body: string | null, write: boolean, shown: string,
        live: () => Promise<unknown>, dry: () => unknown, summary: (v: unknown) => string,
      ): Promise<string> {
        const t0 = performance.now();
        const label = `${kind === 'store.get' || kind === 'store.set' ? kind : `${kind} ${method}`} ${shown}`;
        if (mode.kind === 'recorded') {
          const hit = fromRecording(kind, method, target, body);
          if (write) would.push({ kind, method, target: shown, body, recorded: hit !== null });
          const answer: CapabilityCall['answer'] = hit
            ? hit.answer
            : write
              ? { ok: true, value: dry() }
              : { ok: false, code: 'NOT_IN_CAPTURE', message: `${label} is not in this capture: a replay serves only the answers recorded when the call ran, and never sends anything` };
          calls.push({ kind, method, target, body, write, answer, ms: 0 });
          lines.push({ level: answer.ok ? 'info' : 'warn', text: `[${write ? 'would send' : 'recorded'}] ${label} → ${answer.ok ? summary(answer.value) : answer.code}` });
          return answer.ok ? ok(answer.value) : failed(answer.code, answer.message);
        }
        const id = `${kind}:${calls.length}:${t0}`;
        inFlight.add(id);
        try {
          const value = await live();
          const ms = Math.round(performance.now() - t0);
          if (!ended.signal.aborted) {
            const text = ok(value);
            calls.push({ kind, method, target, body, write, answer: text.length <= RECORD_MAX_CHARS ? { ok: true, value } : { ok: false, code: 'NOT_IN_CAPTURE', message: `${label}: the answer was ${text.length} characters, too large to record` }, ms });
            lines.push({ level: 'info', text: `[${kind}] ${label} → ${summary(value)}, ${ms} ms` });
          }
          return ok(value);
        } catch (e) {
          const ms = Math.round(performance.now() - t0);
          const err = e instanceof CapabilityError ? e : capError('FETCH_FAILED', `${label}: ${(e as Error).message}`);
          if (!ended.signal.aborted) {
            calls.push({ kind, method, target, body, write, answer: { ok: false, code: err.code, message: err.message }, ms });
            lines.push({ level: 'warn', text: `[${kind}] ${label} → ${err.code}, ${ms} ms` });
          }
          return failed(err.code, err.message);
        } finally {
          inFlight.delete(id);
        }
      }

      const handlers: Record<string, (arg: unknown) => Promise<string>> = {
        async fetch(arg) {
          if (!g.fetch) throw capError('CAPABILITY_NOT_GRANTED', `fetch is not granted to ${s.hook}: add hooks.${s.hook}.fetch.allow (URL patterns) to the config`);
          const req = checkRequest(arg, g.fetch);
          if (++counts.fetch > g.fetch.maxRequests) throw capError('CAPABILITY_LIMIT', `fetch: more than ${g.fetch.maxRequests} requests in one invocation (the grant's maxRequests)`);
          const url = normaliseUrl(req.url);
          const write = req.method !== 'GET' && req.method !== 'HEAD';
          const shown = redactUrl(url.href);
          return perform('fetch', req.method, url.href, req.body, write, shown,
            () => hostFetch({ ...req, url: url.href }, g.fetch as NonNullable<Grants['fetch']>, { resolve, budgetMs: budget(), ended: ended.signal }).then(plain),
            () => ({ status: 202, statusText: 'Accepted (dry run: not sent)', url: url.href, headers: {}, body: '', redirected: false, dryRun: true }),
            (v) => { const a = v as FetchAnswer; return `${a.status}, ${a.bytes ?? 0} B`; });
        },
        async 'kommo.request'(arg) {
          const c = checkKommoCall(arg, g, s.hook);
          if (++counts.kommo > KOMMO_MAX_REQUESTS) throw capError('CAPABILITY_LIMIT', `kommo.request: more than ${KOMMO_MAX_REQUESTS} requests in one invocation`);
          const body = c.body === undefined ? null : JSON.stringify(c.body);
          const kommo = o.kommo?.() ?? null;
          if (!kommo && mode.kind === 'live') throw capError('CAPABILITY_NOT_GRANTED', 'kommo.request: no Kommo client here (the engine is not connected to Kommo)');
          return perform('kommo', c.method, c.path, body, c.method !== 'GET', redactUrl(c.path),
            async () => {
              const r = await (kommo as KommoRequester).request(c.method, c.path, c.body, s.linkedid ? { linkedid: s.linkedid } : {});
              if (!r.ok) throw capError('KOMMO_REQUEST_FAILED', `kommo.request ${c.method} ${redactUrl(c.path)}: ${r.error.code}: ${r.error.message}`);
              return { status: r.value.status, body: r.value.body ?? null };
            },
            () => ({ status: 202, body: null, dryRun: true }),
            (v) => `${(v as { status: number }).status}, ${Buffer.byteLength(JSON.stringify((v as { body: unknown }).body ?? null))} B`);
        },
        async 'store.get'(arg) {
          const key = (arg as { key?: unknown })?.key;
          if (!g.store) throw capError('CAPABILITY_NOT_GRANTED', `store is not granted to ${s.hook}: add hooks.${s.hook}.store: {} to the config`);
          if (++counts.store > STORE_MAX_CALLS) throw capError('CAPABILITY_LIMIT', `store: more than ${STORE_MAX_CALLS} calls in one invocation`);
          if (!store && mode.kind === 'live') throw capError('CAPABILITY_NOT_GRANTED', 'store: there is no data folder here');
          return perform('store.get', 'GET', String(key), null, false, JSON.stringify(String(key)),
            async () => JSON.parse((store as HookStore).get(s.hook, key)) as unknown, () => null, (v) => (v === null ? 'null' : 'a value'));
        },
        async 'store.set'(arg) {
          const a = (arg ?? {}) as { key?: unknown; value?: unknown; ttlSeconds?: unknown };
          if (!g.store) throw capError('CAPABILITY_NOT_GRANTED', `store is not granted to ${s.hook}: add hooks.${s.hook}.store: {} to the config`);
          if (++counts.store > STORE_MAX_CALLS) throw capError('CAPABILITY_LIMIT', `store: more than ${STORE_MAX_CALLS} calls in one invocation`);
          if (!store && mode.kind === 'live') throw capError('CAPABILITY_NOT_GRANTED', 'store: there is no data folder here');
          const value = JSON.stringify(a.value ?? null);
          const limits = g.store;
          return perform('store.set', 'SET', String(a.key), value, true, JSON.stringify(String(a.key)),
            async () => {
              await (store as HookStore).set(s.hook, a.key, value, a.ttlSeconds, limits);
              return null;
            }, () => null, () => 'stored');
        },
      };

      return {
        async call(name, argJson) {
          const h = handlers[name];
          if (!h) return failed('CAPABILITY_BAD_ARGUMENT', `${name} is not a capability`);
          if (ended.signal.aborted) return failed('FETCH_TIMEOUT', `${name}: the invocation has ended`);
          try {
            return await h(JSON.parse(argJson) as unknown);
          } catch (e) {
            const err = e instanceof CapabilityError ? e : capError('CAPABILITY_BAD_ARGUMENT', `${name}: ${(e as Error).message}`);
            lines.push({ level: 'warn', text: `[${name.split('.')[0]}] refused: ${err.code}: ${err.message}` });
            return failed(err.code, err.message);
          }
        },
        end() {
          if (ended.signal.aborted) return;
          if (inFlight.size > 0) lines.push({ level: 'warn', text: `[capabilities] ${inFlight.size} call(s) still in flight when the invocation ended were abandoned` });
          ended.abort();
        },
        logs: () => lines.slice(),
        calls: () => calls.slice(),
        wouldSend: () => would.slice(),
      };
    },
  };
}

const plain = (a: FetchAnswer) => ({ status: a.status, statusText: a.statusText, url: a.url, headers: a.headers, body: a.body, redirected: a.redirected, bytes: a.bytes });
