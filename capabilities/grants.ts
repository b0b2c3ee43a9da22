/**
 * What a hook's script may do outside its isolate, as the configuration grants it (`hooks.<hook>.fetch`,
 * `hooks.<hook>.kommo`, `hooks.<hook>.store`): nothing is ambient. This file turns the config into matchers.
 *
 * A fetch pattern is a URL: `https://hooks.example.com/in/*`, `https://*.example.com/*`, `http://127.0.0.1:8080/*`.
 * Scheme and port must match exactly (https only unless the pattern says http); the host exactly, or a `*.`
 * prefix for any subdomain (never an IP address); the path as a prefix when it ends in `*`, else exactly. URLs
 * are compared after WHATWG normalisation (lower-cased host, dot segments resolved, IPv4 written in decimal or hex
 * turned into dotted form), so `http://0x7f.1/` is `http://127.0.0.1/` before any pattern sees it.
 * A pattern whose host is an IP address literal grants that address: the only way to reach loopback or private
 * addresses (address.ts).
 */
import ipaddr from 'ipaddr.js';

export interface FetchGrantConfig {
  allow: string[];
  timeoutMs?: number;
  maxRequestBytes?: number;
  maxResponseBytes?: number;
  maxRequests?: number;
}

export interface KommoGrantConfig {
  /** Reads (GET) through the engine's Kommo client. Default true. */
  read?: boolean;
  /** Writes granted, as "METHOD /api/v4/path" with `*` for one path segment: "POST /api/v4/leads/*\/notes". */
  write?: string[];
}

export interface StoreGrantConfig {
  maxKeys?: number;
  maxValueBytes?: number;
}

/** One hook's section of `hooks` in the config (the capability keys; the limits are read elsewhere). */
export interface HookGrantConfig {
  fetch?: FetchGrantConfig;
  kommo?: KommoGrantConfig;
  store?: StoreGrantConfig;
}

export const FETCH_DEFAULTS = { timeoutMs: 5_000, maxRequestBytes: 64 * 1024, maxResponseBytes: 1024 * 1024, maxRequests: 10 } as const;
export const STORE_DEFAULTS = { maxKeys: 1_000, maxValueBytes: 16 * 1024 } as const;
/** Kommo requests per invocation (each takes a slot of the account's rate limit the registrar shares). */
export const KOMMO_MAX_REQUESTS = 10;
/** store.get/set calls per invocation. */
export const STORE_MAX_CALLS = 100;

export interface UrlPattern {
  text: string;
  protocol: 'http:' | 'https:';
  /** Lower-case host name, or the IP literal (IPv6 without brackets). */
  host: string;
  /** `*.example.com`: any subdomain of `host` (not the host itself). */
  subdomains: boolean;
  /** The host is an IP address literal: connecting to it is granted whatever its range. */
  address: boolean;
  port: string;
  path: string;
  prefix: boolean;
}

export interface FetchGrant {
  patterns: UrlPattern[];
  timeoutMs: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
  maxRequests: number;
}

export interface Grants {
  fetch: FetchGrant | null;
  kommo: { read: boolean; write: RegExp[]; writeText: string[] };
  store: { maxKeys: number; maxValueBytes: number } | null;
}

const bare = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** Parses one `allow` entry; throws an Error saying what is wrong with it (the config loader shows it). */
export function parsePattern(text: string): UrlPattern {
  const star = text.match(/^(https?):\/\/\*\./i);
  const url = (() => {
    try {
      return new URL(star ? text.replace(/^(https?):\/\/\*\./i, '$1://') : text);
    } catch {
      throw new Error(`${JSON.stringify(text)} is not a URL pattern (write e.g. "https://hooks.example.com/in/*")`);
    }
  })();
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${JSON.stringify(text)}: only http and https URLs can be granted`);
  if (url.username || url.password) throw new Error(`${JSON.stringify(text)}: a pattern may not carry user:password@`);
  if (url.search || url.hash) throw new Error(`${JSON.stringify(text)}: a pattern has no ?query or #fragment (queries are never matched)`);
  const host = bare(url.hostname);
  const address = ipaddr.isValid(host);
  if (star && address) throw new Error(`${JSON.stringify(text)}: *. applies to host names, not addresses`);
  // new URL() encodes `*` in paths as is; a trailing * makes the path a prefix.
  const prefix = url.pathname.endsWith('*');
  const path = prefix ? url.pathname.slice(0, -1) : url.pathname;
  if (path.includes('*')) throw new Error(`${JSON.stringify(text)}: * is allowed only at the end of the path`);
  return { text, protocol: url.protocol, host, subdomains: Boolean(star), address, port: url.port, path, prefix };
}

export function matchPattern(p: UrlPattern, url: URL): boolean {
  if (url.protocol !== p.protocol || url.port !== p.port) return false;
  const host = bare(url.hostname);
  if (p.subdomains ? !host.endsWith(`.${p.host}`) : host !== p.host) return false;
  return p.prefix ? url.pathname.startsWith(p.path) : url.pathname === p.path;
}

/** A Kommo route pattern ("POST /api/v4/leads/*\/notes") as a regular expression over "METHOD /path" (no query). */
export function parseRoute(text: string): RegExp {
  const m = /^(GET|POST|PATCH|DELETE) (\/api\/v4\/[A-Za-z0-9_*/-]*)$/.exec(text.trim());
  if (!m) throw new Error(`${JSON.stringify(text)} is not a Kommo route (write e.g. "POST /api/v4/leads/*/notes")`);
  const path = (m[2] as string).split('/').map((seg) => (seg === '*' ? '[^/]+' : seg.replace(/[^A-Za-z0-9_/-]/g, (c) => `\\${c}`))).join('/');
  return new RegExp(`^${m[1]} ${path}$`);
}

/** The grants of one hook from its config section; throws on a bad pattern (checked when the config loads). */
export function grantsOf(section: HookGrantConfig | undefined): Grants {
  const f = section?.fetch;
  const write = section?.kommo?.write ?? [];
  return {
    fetch: f
      ? {
          patterns: f.allow.map(parsePattern),
          timeoutMs: f.timeoutMs ?? FETCH_DEFAULTS.timeoutMs,
          maxRequestBytes: f.maxRequestBytes ?? FETCH_DEFAULTS.maxRequestBytes,
          maxResponseBytes: f.maxResponseBytes ?? FETCH_DEFAULTS.maxResponseBytes,
          maxRequests: f.maxRequests ?? FETCH_DEFAULTS.maxRequests,
        }
      : null,
    kommo: { read: section?.kommo?.read ?? true, write: write.map(parseRoute), writeText: write },
    store: section?.store ? { maxKeys: section.store.maxKeys ?? STORE_DEFAULTS.maxKeys, maxValueBytes: section.store.maxValueBytes ?? STORE_DEFAULTS.maxValueBytes } : null,
  };
}

/** Every problem in the capability sections of `hooks` (config checking), as "hooks.<hook>.fetch.allow[0]: …". */
export function grantProblems(hooks: Record<string, HookGrantConfig | undefined>): string[] {
  const out: string[] = [];
  // Run on any file, valid by schema or not (the loader lists every problem at once): only arrays of strings are read.
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : []);
  for (const [hook, s] of Object.entries(hooks ?? {})) {
    strings(s?.fetch?.allow).forEach((a, i) => {
      try {
        parsePattern(a);
      } catch (e) {
        out.push(`hooks.${hook}.fetch.allow[${i}]: ${(e as Error).message}`);
      }
    });
    strings(s?.kommo?.write).forEach((w, i) => {
      try {
        parseRoute(w);
      } catch (e) {
        out.push(`hooks.${hook}.kommo.write[${i}]: ${(e as Error).message}`);
      }
    });
  }
  return out;
}

/** The URL as it is logged and shown: query values dropped (they may carry secrets), keys kept. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url, 'http://x.invalid');
    const keys = [...u.searchParams.keys()];
    const base = url.startsWith('/') ? u.pathname : `${u.origin}${u.pathname}`;
    return keys.length ? `${base}?${keys.map((k) => `${encodeURIComponent(k)}=…`).join('&')}` : base;
  } catch {
    return '(unreadable URL)';
  }
}
