/**
 * fetch(url, init) carried out by the host for a script: the URL normalised (WHATWG) and matched against the
 * hook's grant; `user:pass@` refused; every address the name resolves to checked (address.ts) and the
 * connection pinned to a checked one; redirects followed (at most 5) only while each target is granted too;
 * the request body and the response capped in bytes (the response read as it arrives and cut off at the cap);
 * one timer for the whole exchange, the grant's `timeoutMs` or what is left of the invocation, whichever ends
 * first; the invocation's end aborts it. The answer is plain data: status, headers and the body as text.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isAddress, refusedRange, type ResolvedAddress, type Resolver } from './address.ts';
import { capError, CapabilityError } from './errors.ts';
import { matchPattern, redactUrl, type FetchGrant } from './grants.ts';

export interface FetchRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface FetchAnswer {
  status: number;
  statusText: string;
  /** The final URL, after redirects. */
  url: string;
  headers: Record<string, string>;
  body: string;
  bytes: number;
  redirected: boolean;
}

const MAX_REDIRECTS = 5;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Headers the host sets itself, or that would change how the connection is used. */
const FORBIDDEN_HEADERS = /^(host|connection|content-length|transfer-encoding|upgrade|keep-alive|te|trailer|expect|proxy-.*)$/i;
const bare = (h: string) => (h.startsWith('[') ? h.slice(1, -1) : h);

/** Checks the script's request: a method, string headers, a string body within the cap. */
export function checkRequest(arg: unknown, grant: FetchGrant): FetchRequest {
  const a = (arg ?? {}) as { url?: unknown; init?: Record<string, unknown> };
  if (typeof a.url !== 'string') throw capError('CAPABILITY_BAD_ARGUMENT', 'fetch needs a URL string as its first argument');
  const init = a.init && typeof a.init === 'object' ? a.init : {};
  const method = String(init.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw capError('CAPABILITY_BAD_ARGUMENT', `fetch: the method ${JSON.stringify(method)} is not supported (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)`);
  const headers: Record<string, string> = {};
  const given = init.headers && typeof init.headers === 'object' ? (init.headers as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(given)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) || typeof v !== 'string' || /[\r\n\0]/.test(v)) {
      throw capError('CAPABILITY_BAD_ARGUMENT', `fetch: the header ${JSON.stringify(k)} is not a header name with a one-line string value`);
    }
    if (FORBIDDEN_HEADERS.test(k)) throw capError('CAPABILITY_BAD_ARGUMENT', `fetch: the header ${k} is set by hookline, not by scripts`);
    headers[k.toLowerCase()] = v;
  }
  const body = init.body === undefined || init.body === null ? null : init.body;
  if (body !== null && typeof body !== 'string') throw capError('CAPABILITY_BAD_ARGUMENT', 'fetch: the body must be a string (use JSON.stringify(data) and a content-type header)');
  if (body !== null && (method === 'GET' || method === 'HEAD')) throw capError('CAPABILITY_BAD_ARGUMENT', `fetch: a ${method} request has no body`);
  const size = body === null ? 0 : Buffer.byteLength(body);
  if (size > grant.maxRequestBytes) throw capError('FETCH_TOO_LARGE', `fetch: the request body is ${size} bytes, over the grant's maxRequestBytes (${grant.maxRequestBytes})`);
  return { url: a.url, method, headers, body };
}

/** The URL normalised and checked for what no grant can allow. */
export function normaliseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw capError('CAPABILITY_BAD_ARGUMENT', `fetch: ${JSON.stringify(text.slice(0, 200))} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw capError('FETCH_REFUSED', `fetch: only http and https URLs can be fetched, not ${url.protocol}`);
  if (url.username || url.password) throw capError('FETCH_REFUSED', 'fetch: URLs with user:password@ are refused; send credentials in a header (Authorization)');
  url.hash = '';
  return url;
}

/** The addresses this URL may be connected to, or the refusal. */
async function addressesFor(url: URL, grant: FetchGrant, resolve: Resolver): Promise<ResolvedAddress[]> {
  const pattern = grant.patterns.find((p) => matchPattern(p, url));
  if (!pattern) {
    throw capError('CAPABILITY_NOT_GRANTED', `fetch: ${redactUrl(url.href)} is not granted to this hook (granted: ${grant.patterns.map((p) => p.text).join(', ')}); add a pattern to hooks.<hook>.fetch.allow in the config`);
  }
  const host = bare(url.hostname);
  if (isAddress(host)) {
    const range = refusedRange(host);
    // Granted by address: the pattern names this literal address.
    if (range && !pattern.address) throw capError('FETCH_REFUSED', `fetch: ${host} is a ${range} address`);
    return [{ address: host, family: host.includes(':') ? 6 : 4 }];
  }
  let found: ResolvedAddress[];
  try {
    found = await resolve(host);
  } catch (e) {
    throw capError('FETCH_FAILED', `fetch: ${host} could not be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (found.length === 0) throw capError('FETCH_FAILED', `fetch: ${host} resolves to no address`);
  for (const a of found) {
    const range = refusedRange(a.address);
    if (range) {
      throw capError('FETCH_REFUSED', `fetch: ${host} resolves to ${a.address}, a ${range} address; such addresses are reached only when granted by address (e.g. "http://${a.family === 6 ? `[${a.address}]` : a.address}:port/*")`);
    }
  }
  return found;
}

interface Exchange {
  res: http.IncomingMessage;
  req: http.ClientRequest;
}

function send(url: URL, r: FetchRequest, to: ResolvedAddress, signal: AbortSignal): Promise<Exchange> {
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [to]);
    else cb(null, to.address, to.family);
  };
  const headers: Record<string, string> = { 'user-agent': 'hookline', ...r.headers };
  if (r.body !== null) {
    headers['content-length'] = String(Buffer.byteLength(r.body));
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: r.method, headers, lookup: pinned, agent: false, signal });
    req.once('response', (res) => resolve({ res, req }));
    req.once('error', reject);
    req.end(r.body ?? undefined);
  });
}

async function readBody(x: Exchange, max: number, signal: AbortSignal): Promise<{ text: string; bytes: number }> {
  const declared = Number(x.res.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    x.req.destroy();
    throw capError('FETCH_TOO_LARGE', `fetch: the response is ${declared} bytes, over the grant's maxResponseBytes (${max})`);
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  return new Promise((resolve, reject) => {
    const stop = () => { x.req.destroy(); reject(signal.reason instanceof CapabilityError ? signal.reason : capError('FETCH_TIMEOUT', 'fetch: ended')); };
    signal.addEventListener('abort', stop, { once: true });
    x.res.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > max) {
        x.req.destroy();
        signal.removeEventListener('abort', stop);
        reject(capError('FETCH_TOO_LARGE', `fetch: the response went over the grant's maxResponseBytes (${max}); it was cut off`));
        return;
      }
      chunks.push(c);
    });
    x.res.once('end', () => {
      signal.removeEventListener('abort', stop);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), bytes });
    });
    x.res.once('error', (e) => {
      signal.removeEventListener('abort', stop);
      reject(signal.aborted ? signal.reason : capError('FETCH_FAILED', `fetch: the response broke off (${e.message})`));
    });
  });
}

const headersOf = (res: http.IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
};

/**
 * One fetch. `ended` aborts it (the invocation ended); `budgetMs` is what is left of the invocation's time.
 * Throws CapabilityError values only.
 */
export async function hostFetch(req: FetchRequest, grant: FetchGrant, o: { resolve: Resolver; budgetMs: number; ended: AbortSignal }): Promise<FetchAnswer> {
  const ms = Math.max(0, Math.floor(Math.min(grant.timeoutMs, o.budgetMs)));
  const timer = AbortSignal.timeout(Math.max(1, ms));
  const ctl = new AbortController();
  const abort = (why: CapabilityError) => {
    if (!ctl.signal.aborted) ctl.abort(why);
  };
  const onTimer = () => abort(capError('FETCH_TIMEOUT', `fetch: no full answer within ${Math.round(ms)} ms (the grant's timeoutMs or the time left in the hook's own timeout)`));
  const onEnd = () => abort(capError('FETCH_TIMEOUT', 'fetch: the invocation ended before the answer came'));
  timer.addEventListener('abort', onTimer, { once: true });
  o.ended.addEventListener('abort', onEnd, { once: true });
  if (o.ended.aborted) onEnd();
  try {
    let url = normaliseUrl(req.url);
    let r = req;
    for (let hop = 0; ; hop++) {
      const addresses = await addressesFor(url, grant, o.resolve);
      if (ctl.signal.aborted) throw ctl.signal.reason;
      let x: Exchange;
      try {
        x = await send(url, r, addresses[0] as ResolvedAddress, ctl.signal);
      } catch (e) {
        if (ctl.signal.aborted) throw ctl.signal.reason;
        throw capError('FETCH_FAILED', `fetch: ${redactUrl(url.href)} could not be reached (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      const status = x.res.statusCode ?? 0;
      const location = x.res.headers.location;
      if (status >= 300 && status < 400 && location && status !== 304) {
        x.req.destroy();
        if (hop >= MAX_REDIRECTS) throw capError('FETCH_FAILED', `fetch: more than ${MAX_REDIRECTS} redirects`);
        let next: URL;
        try {
          next = normaliseUrl(new URL(location, url).href);
        } catch (e) {
          throw e instanceof CapabilityError ? e : capError('FETCH_FAILED', 'fetch: a redirect to an unreadable location');
        }
        // The next URL is matched and its addresses checked like the first (the loop's top): a redirect leaves the grant only by failing.
        url = next;
        if (status !== 307 && status !== 308) r = { ...r, method: r.method === 'HEAD' ? 'HEAD' : 'GET', body: null };
        continue;
      }
      const body = await readBody(x, grant.maxResponseBytes, ctl.signal);
      return { status, statusText: x.res.statusMessage ?? '', url: url.href, headers: headersOf(x.res), body: body.text, bytes: body.bytes, redirected: hop > 0 };
    }
  } catch (e) {
    if (e instanceof CapabilityError) throw e;
    if (ctl.signal.aborted && ctl.signal.reason instanceof CapabilityError) throw ctl.signal.reason;
    throw capError('FETCH_FAILED', `fetch: ${(e as Error).message}`);
  } finally {
    timer.removeEventListener('abort', onTimer);
    o.ended.removeEventListener('abort', onEnd);
  }
}
