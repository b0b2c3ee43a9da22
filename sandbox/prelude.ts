/**
 * The JavaScript evaluated in every fresh context before the script: console capture into a bounded
 * in-isolate array, pinnable Date and Math.random, the strict plain-JSON check, and the entry point the host
 * calls with a JSON string. Nothing from the host is put in the context: the script sees only the language.
 */
export const LOG_LIMIT_ENTRIES = 100;
export const LOG_LIMIT_CHARS = 16 * 1024;

export const PRELUDE = String.raw`
(() => {
  'use strict';
  const g = globalThis;
  const logs = [];
  let logChars = 0;
  let logDropped = 0;
  const fmt = (v) => {
    if (typeof v === 'string') return v;
    try { const s = JSON.stringify(v); return s === undefined ? String(v) : s; } catch { return String(v); }
  };
  const log = (level) => (...args) => {
    const text = args.map(fmt).join(' ');
    if (logs.length >= ${LOG_LIMIT_ENTRIES} || logChars + text.length > ${LOG_LIMIT_CHARS}) { logDropped++; return; }
    logChars += text.length;
    logs.push({ level, text });
  };
  const console = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('log') };
  Object.defineProperty(g, 'console', { value: console, writable: false, configurable: false });

  // Date and Math.random, pinned per invocation by the caller (replay of a captured input).
  const RealDate = Date;
  let fixedNow = null;
  function HookDate(...a) {
    if (!new.target) return new RealDate(fixedNow ?? RealDate.now()).toString();
    return a.length === 0 ? new RealDate(fixedNow ?? RealDate.now()) : new RealDate(...a);
  }
  HookDate.prototype = RealDate.prototype;
  HookDate.now = () => fixedNow ?? RealDate.now();
  HookDate.parse = RealDate.parse;
  HookDate.UTC = RealDate.UTC;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: HookDate });
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

  // Plain JSON only: no cycles, BigInt, functions, symbols, undefined, accessors, toJSON, exotic prototypes, NaN.
  const OP = Object.prototype, AP = Array.prototype;
  function notJson(v, path, seen) {
    const t = typeof v;
    if (v === null || t === 'string' || t === 'boolean') return null;
    if (t === 'number') return Number.isFinite(v) ? null : path + ' is ' + String(v) + ' (not a finite number)';
    if (t === 'bigint') return path + ' is a BigInt';
    if (t === 'undefined') return path + ' is undefined';
    if (t === 'function') return path + ' is a function';
    if (t === 'symbol') return path + ' is a symbol';
    if (seen.includes(v)) return path + ' refers back to itself (a cycle)';
    const isArr = Array.isArray(v);
    const proto = Object.getPrototypeOf(v);
    if (isArr ? proto !== AP : proto !== OP && proto !== null) return path + ' is not a plain object or array';
    if (Object.getOwnPropertySymbols(v).length) return path + ' has symbol keys';
    seen.push(v);
    const keys = Object.getOwnPropertyNames(v);
    for (const k of keys) {
      if (isArr && k === 'length') continue;
      const d = Object.getOwnPropertyDescriptor(v, k);
      const p = isArr ? path + '[' + k + ']' : path + '.' + k;
      if (!d.enumerable) return p + ' is not enumerable';
      if (d.get || d.set) return p + ' is a getter or setter';
      if (k === 'toJSON') return p + ' is a toJSON method';
      const r = notJson(d.value, p, seen);
      if (r) return r;
    }
    if (isArr && keys.length - 1 !== v.length) return path + ' is a sparse array';
    seen.pop();
    return null;
  }
  const realStringify = JSON.stringify;
  const withLogs = (o) => { o.logs = logs; o.dropped = logDropped; return realStringify(o); };
  function envelope(result) {
    if (result !== null && typeof result === 'object' && !Array.isArray(result)) {
      const d = Object.getOwnPropertyDescriptor(result, 'state');
      if (!d || !('value' in d) || d.value !== 'success') {
        return withLogs({ t: 'state', state: d && 'value' in d ? fmt(d.value) : (d ? 'a getter' : 'undefined') });
      }
    } else {
      return withLogs({ t: 'state', state: result === undefined ? 'undefined (the script returned nothing)' : fmt(result) });
    }
    const bad = notJson(result, 'the result', []);
    if (bad) return withLogs({ t: 'notjson', detail: bad });
    return withLogs({ t: 'ok', json: realStringify(result) });
  }
  function thrown(e) {
    let message;
    try { message = e instanceof Error ? e.name + ': ' + e.message : 'a non-Error value was thrown: ' + fmt(e); } catch { message = 'an unreadable value was thrown'; }
    let stack = '';
    try { stack = e instanceof Error && typeof e.stack === 'string' ? e.stack : ''; } catch {}
    return withLogs({ t: 'throw', message, stack });
  }
  let pending = null;
  g.__hookline_run = (inputJson, now, s) => {
    fixedNow = now;
    seed = s;
    let r;
    try {
      r = __hookline_module.default(JSON.parse(inputJson));
    } catch (e) {
      return thrown(e);
    }
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
      pending = Promise.resolve(r).then(envelope, thrown);
      return 'PENDING';
    }
    return envelope(r);
  };
  g.__hookline_pending = () => pending;
  g.__hookline_logs = () => realStringify({ logs, dropped: logDropped });
})();
`;
