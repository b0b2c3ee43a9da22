/**
 * The JavaScript evaluated in every fresh context before the script: console capture into a bounded
 * in-isolate array, pinnable Date and Math.random, the strict plain-JSON check, and the entry points the host
 * calls with a JSON string. Nothing from the host is put in the context: the script sees only the language.
 *
 * Every built-in the prelude relies on is captured before the script's top level runs, so a script that
 * replaces `Object.getOwnPropertyNames`, `JSON.stringify`, `Array.prototype.includes` or sets
 * `Object.prototype.toJSON` cannot steer the check. The check and the serialization are one walk: the JSON
 * text the host receives is written from exactly the values that were checked (no getter, `toJSON` or Proxy
 * `get` trap runs between the check and the text).
 *
 * The answer is one string: a header line (JSON, no raw newline: `JSON.stringify` escapes them) with the
 * outcome and the logs, then `\n`, then the result's JSON text. The host measures the result's size before it
 * parses anything (isolate-runner.ts `decode` reads this format; change both together).
 */
export const LOG_LIMIT_ENTRIES = 100;
export const LOG_LIMIT_CHARS = 16 * 1024;
/** The largest capability call argument (JSON characters) that crosses from the isolate to the host (issue 19). */
export const MAX_CAPABILITY_ARG_CHARS = 17 * 1024 * 1024;

export const PRELUDE = String.raw`
(() => {
  'use strict';
  const g = globalThis;
  const O = Object, bind = Function.prototype.call.bind(Function.prototype.bind);
  const uncurry = (f) => bind(Function.prototype.call, f);
  const getProto = O.getPrototypeOf, ownNames = O.getOwnPropertyNames, ownSymbols = O.getOwnPropertySymbols;
  const ownDesc = O.getOwnPropertyDescriptor, defineProp = O.defineProperty, hasOwn = O.hasOwn;
  const isArray = Array.isArray, isFinite = Number.isFinite, str = JSON.stringify, parse = JSON.parse;
  const RealSet = Set, setHas = uncurry(Set.prototype.has), setAdd = uncurry(Set.prototype.add), setDelete = uncurry(Set.prototype.delete);
  const arrayPush = uncurry(Array.prototype.push), arrayJoin = uncurry(Array.prototype.join), arrayMap = uncurry(Array.prototype.map);
  const promiseResolve = bind(Promise.resolve, Promise), promiseThen = uncurry(Promise.prototype.then);
  const RealError = Error, RealString = String;
  const OP = O.prototype, AP = Array.prototype;

  // console: bounded, and the drop is counted (the host states it).
  const logs = [];
  let logChars = 0;
  let logDropped = 0;
  const fmt = (v) => {
    if (typeof v === 'string') return v;
    try { const s = str(v); return s === undefined ? RealString(v) : s; } catch { try { return RealString(v); } catch { return '[unprintable]'; } }
  };
  const log = (level) => (...args) => {
    const text = arrayJoin(arrayMap(args, fmt), ' ');
    if (logs.length >= ${LOG_LIMIT_ENTRIES} || logChars + text.length > ${LOG_LIMIT_CHARS}) { logDropped++; return; }
    logChars += text.length;
    arrayPush(logs, { level, text });
  };
  const console = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('log') };
  defineProp(g, 'console', { value: console, writable: false, configurable: false });

  // Date and Math.random, pinned per invocation by the caller (replay of a captured input).
  const RealDate = Date;
  const realNow = RealDate.now;
  let fixedNow = null;
  function HookDate(...a) {
    if (!new.target) return new RealDate(fixedNow ?? realNow()).toString();
    return a.length === 0 ? new RealDate(fixedNow ?? realNow()) : new RealDate(...a);
  }
  HookDate.prototype = RealDate.prototype;
  HookDate.now = () => fixedNow ?? realNow();
  HookDate.parse = RealDate.parse;
  HookDate.UTC = RealDate.UTC;
  defineProp(RealDate.prototype, 'constructor', { value: HookDate });
  g.Date = HookDate;
  let seed = null;
  const realRandom = Math.random;
  Math.random = () => {
    if (seed === null) return realRandom();
    // mulberry32: small, fast, deterministic.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  // Plain JSON only: no cycles, BigInt, functions, symbols, undefined, accessors, toJSON, exotic prototypes,
  // sparse arrays, non-finite numbers. Returns the JSON text of what it checked, or throws NotJson.
  function NotJson(detail) { this.detail = detail; }
  function write(v, path, seen) {
    const t = typeof v;
    if (v === null) return 'null';
    if (t === 'string') return str(v);
    if (t === 'boolean') return v ? 'true' : 'false';
    if (t === 'number') { if (isFinite(v)) return str(v); throw new NotJson(path + ' is ' + RealString(v) + ' (not a finite number)'); }
    if (t === 'bigint') throw new NotJson(path + ' is a BigInt');
    if (t === 'undefined') throw new NotJson(path + ' is undefined');
    if (t === 'function') throw new NotJson(path + ' is a function');
    if (t === 'symbol') throw new NotJson(path + ' is a symbol');
    if (setHas(seen, v)) throw new NotJson(path + ' refers back to itself (a cycle)');
    const arr = isArray(v);
    const proto = getProto(v);
    if (arr ? proto !== AP : proto !== OP && proto !== null) throw new NotJson(path + ' is not a plain object or array');
    if (ownSymbols(v).length) throw new NotJson(path + ' has symbol keys');
    setAdd(seen, v);
    const keys = ownNames(v);
    let out = '';
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (arr && k === 'length') continue;
      const d = ownDesc(v, k);
      const p = arr ? path + '[' + k + ']' : path + '.' + k;
      if (d === undefined) throw new NotJson(p + ' disappeared while it was read');
      if (!d.enumerable) throw new NotJson(p + ' is not enumerable');
      if (!hasOwn(d, 'value')) throw new NotJson(p + ' is a getter or setter');
      if (k === 'toJSON') throw new NotJson(p + ' is a toJSON method');
      if (arr && k !== RealString(n)) throw new NotJson(RealString(+k >>> 0) === k ? path + ' is a sparse array' : p + ' is a named property of an array');
      out += (n++ ? ',' : '') + (arr ? '' : str(k) + ':') + write(d.value, p, seen);
    }
    if (arr && n !== v.length) throw new NotJson(path + ' is a sparse array');
    setDelete(seen, v);
    return arr ? '[' + out + ']' : '{' + out + '}';
  }

  // The answer: header line, newline, result JSON (see the file comment). fields: [key, value, key, value…].
  const logsJson = () => {
    let out = '';
    for (let i = 0; i < logs.length; i++) out += (i ? ',' : '') + '{"level":' + str(logs[i].level) + ',"text":' + str(logs[i].text) + '}';
    return '[' + out + ']';
  };
  const answer = (t, fields, json) => {
    let head = '{"t":' + str(t);
    for (let i = 0; i < fields.length; i += 2) head += ',' + str(fields[i]) + ':' + str(fields[i + 1]);
    return head + ',"logs":' + logsJson() + ',"dropped":' + str(logDropped) + '}\n' + (json ?? '');
  };
  function envelope(result) {
    if (result === null || typeof result !== 'object' || isArray(result)) {
      return answer('state', ['state', result === undefined ? 'undefined (the script returned nothing)' : fmt(result)]);
    }
    const d = ownDesc(result, 'state');
    if (!d || !hasOwn(d, 'value') || d.value !== 'success') {
      return answer('state', ['state', d && hasOwn(d, 'value') ? fmt(d.value) : d ? 'a getter' : 'undefined']);
    }
    let json;
    try {
      json = write(result, 'the result', new RealSet());
    } catch (e) {
      if (e instanceof NotJson) return answer('notjson', ['detail', e.detail]);
      throw e;
    }
    return answer('ok', [], json);
  }
  function thrown(e) {
    let message;
    try { message = e instanceof RealError ? RealString(e.name) + ': ' + RealString(e.message) : 'a non-Error value was thrown: ' + fmt(e); } catch { message = 'an unreadable value was thrown'; }
    // The stack is only read for the script position (mapped through the source map by the host).
    let stack = '';
    try { stack = e instanceof RealError && typeof e.stack === 'string' ? e.stack : ''; } catch {}
    return answer('throw', ['message', message, 'stack', stack]);
  }
  // Capabilities (issue 19): fetch, kommo.request, store.get/set, each a call to the host, which decides what
  // is granted, carries it out and answers plain JSON (capabilities/session.ts). The host function is this
  // invocation's (set by run, kept in this closure); without one every call says nothing is offered.
  let host = null;
  const capFail = (code, message) => { const e = new RealError(message); e.code = code; return e; };
  const callHost = (name, args) => {
    if (host === null) return promiseReject(capFail('CAPABILITY_NOT_GRANTED', name + ' is not available to this invocation (nothing is granted to it)'));
    let json;
    try { json = str(args); } catch { return promiseReject(capFail('CAPABILITY_BAD_ARGUMENT', name + ': the arguments are not plain JSON')); }
    // Nothing larger crosses to the host (the largest grant is a 16 MiB body): refused here, before any copy.
    if (json.length > ${MAX_CAPABILITY_ARG_CHARS}) return promiseReject(capFail('FETCH_TOO_LARGE', name + ': the arguments are ' + json.length + ' characters, over ' + ${MAX_CAPABILITY_ARG_CHARS}));
    const answered = host.apply(undefined, [name, json], { arguments: { copy: true }, result: { promise: true, copy: true } });
    return promiseThen(answered, (text) => {
      const a = parse(text);
      if (a.ok) return a.value;
      throw capFail(a.code, a.message);
    });
  };
  const RealPromise = Promise;
  const promiseReject = bind(Promise.reject, Promise);
  const makeHeaders = (h) => {
    const map = O.create(null);
    const ks = O.keys(h);
    for (let i = 0; i < ks.length; i++) map[ks[i].toLowerCase()] = RealString(h[ks[i]]);
    return O.freeze({
      get: (name) => { const k = RealString(name).toLowerCase(); return hasOwn(map, k) ? map[k] : null; },
      has: (name) => hasOwn(map, RealString(name).toLowerCase()),
      entries: () => arrayMap(O.keys(map), (k) => [k, map[k]]),
    });
  };
  const makeResponse = (r) => {
    const body = r.body;
    return O.freeze({
      ok: r.status >= 200 && r.status < 300, status: r.status, statusText: r.statusText, url: r.url, redirected: r.redirected,
      headers: makeHeaders(r.headers), dryRun: r.dryRun === true,
      text: () => promiseResolve(body),
      json: () => new RealPromise((resolve) => resolve(parse(body))),
    });
  };
  const capFetch = function fetch(url, init) {
    let u;
    try { u = typeof url === 'string' ? url : RealString(url && typeof url === 'object' && typeof url.href === 'string' ? url.href : url); } catch { u = ''; }
    return promiseThen(callHost('fetch', { url: u, init: init === undefined ? {} : init }), makeResponse);
  };
  defineProp(g, 'fetch', { value: capFetch, writable: false, configurable: false });
  defineProp(g, 'kommo', { value: O.freeze({
    request: (method, path, body) => callHost('kommo.request', { method, path, body: body === undefined ? null : body }),
  }), writable: false, configurable: false });
  defineProp(g, 'store', { value: O.freeze({
    get: (key) => callHost('store.get', { key }),
    set: (key, value, options) => promiseThen(callHost('store.set', { key, value: value === undefined ? null : value, ttlSeconds: options && options.ttlSeconds !== undefined ? options.ttlSeconds : null }), () => undefined),
  }), writable: false, configurable: false });

  let pending = null;
  const run = (inputJson, now, s, hostRef) => {
    fixedNow = now;
    seed = s;
    host = hostRef === undefined ? null : hostRef;
    const entry = __hookline_module.default;
    if (typeof entry !== 'function') {
      return answer('entry', ['detail', 'the default export is ' + (entry === null ? 'null' : typeof entry) + ', not a function: write export default function (input: HookInput): HookResult { … }']);
    }
    let r;
    try {
      r = entry(parse(inputJson));
    } catch (e) {
      return thrown(e);
    }
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
      pending = promiseThen(promiseResolve(r), envelope, thrown);
      return 'PENDING';
    }
    return envelope(r);
  };
  // Warms a fresh context off the call path with the shapes of a previous input and result (hidden classes
  // and inline caches belong to a context), without calling the script.
  const warm = (inputJson, resultJson) => {
    try { parse(inputJson); if (resultJson) envelope(parse(resultJson)); } catch {}
  };
  g.__hookline_run = run;
  g.__hookline_pending = () => pending;
  g.__hookline_logs = () => answer('logs', []);
  g.__hookline_warm = warm;
})();
`;
