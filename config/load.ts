/**
 * Finding, reading and checking the configuration file. A wrong file gets every problem listed at once, each
 * with its JSON path, what was expected and what was found; hookline does not start on a wrong file.
 */
import { readFileSync, existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { ConfigSchema, type Config, type ConfigFile } from './schema.ts';
import type { ErrorCode } from '../contracts/index.ts';
import { grantProblems, type HookGrantConfig } from '../capabilities/index.ts';

export const DEFAULT_CONFIG_FILE = 'hookline.config.json';

FormatRegistry.Set('regex', (v) => regexError(v) === null);
FormatRegistry.Set('ip-or-cidr', isIpOrCidr);

/** "10.0.0.1", "::1", "192.168.0.0/16", "fd00::/8": what the allow-lists and trustProxy take. */
function isIpOrCidr(v: string): boolean {
  const [addr = '', bits, more] = v.trim().split('/');
  const family = isIP(addr);
  if (family === 0 || more !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

function regexError(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export interface ConfigProblem {
  /** JSON path in dotted form, e.g. `ami.port`; "" for the file as a whole. */
  path: string;
  expected: string;
  found: string;
}

/** Listed in the error catalogue (contracts/errors-service.ts). */
export type ConfigCode = Extract<ErrorCode, 'CONFIG_UNREADABLE' | 'CONFIG_INVALID'>;

export interface ConfigError {
  code: ConfigCode;
  /** The file the problems are in, or null when the configuration came from defaults only. */
  file: string | null;
  problems: ConfigProblem[];
  message: string;
  hint: string;
}

/** The configuration with secrets resolved and defaults filled. */
export interface LoadedConfig {
  config: Config;
  /** The file read, or null when none was found and the defaults apply. */
  file: string | null;
  /** No PBX and no Kommo configured: the built-in demo (sim/pbx into sim/kommo) runs. */
  demo: boolean;
}

export type LoadResult = { ok: true; value: LoadedConfig } | { ok: false; error: ConfigError };

export interface LoadOptions {
  /** `--config <file>`; wins over the environment and the default file name. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Which file to read: --config, else $HOOKLINE_CONFIG, else ./hookline.config.json if it exists, else none. */
export function resolveConfigFile(opts: LoadOptions = {}): string | null {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  if (opts.file) return resolve(cwd, opts.file);
  if (env.HOOKLINE_CONFIG) return resolve(cwd, env.HOOKLINE_CONFIG);
  const def = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(def) ? def : null;
}

export function loadConfig(opts: LoadOptions = {}): LoadResult {
  const file = resolveConfigFile(opts);
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (e as Error).message;
      return fail('CONFIG_UNREADABLE', file, [{ path: '', expected: 'a readable JSON file', found: reason }]);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return fail('CONFIG_UNREADABLE', file, [{ path: '', expected: 'valid JSON', found: (e as Error).message }]);
    }
  }
  return checkConfig(raw, file, opts.env ?? process.env);
}

/** Validate an already parsed value (the file's content) and resolve its secrets. */
export function checkConfig(raw: unknown, file: string | null, env: NodeJS.ProcessEnv = process.env): LoadResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail('CONFIG_INVALID', file, [{ path: '', expected: 'a JSON object', found: describeValue(raw) }]);
  }
  // Value.Default fills defaults into whatever it finds, an array included ({"pbx": []} would pass as the
  // defaults): a section that is not an object is reported first, as written.
  const shape = notObjects(ConfigSchema, raw, '');
  const input = structuredClone(raw) as Record<string, unknown>;
  for (const p of shape) {
    // Left out of the rest of the check (its problem is listed), so the other problems are listed too.
    const keys = p.path.split('.');
    const last = keys.pop() as string;
    let at: Record<string, unknown> = input;
    for (const k of keys) at = at[k] as Record<string, unknown>;
    delete at[last];
  }
  const value = Value.Default(ConfigSchema, input) as ConfigFile;
  const problems: ConfigProblem[] = [...shape];
  const seen = new Set<string>();
  for (const e of Value.Errors(ConfigSchema, value)) {
    // TypeBox reports a missing key twice (required, then the type of undefined): keep the first per path.
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    problems.push(toProblem(e));
  }
  problems.push(...semanticProblems(value), ...resolveSecrets(value, env));
  if (problems.length > 0) return fail('CONFIG_INVALID', file, problems);
  // resolveSecrets replaced every {"env": NAME} with its value (a missing one is a problem listed above).
  const config = value as Config;
  return { ok: true, value: { config, file, demo: !config.ami && !config.kommo } };
}

/** Sections (object-typed properties, at any depth) given as something other than a JSON object. */
function notObjects(schema: unknown, value: unknown, path: string): ConfigProblem[] {
  const props = (schema as { properties?: Record<string, unknown> }).properties;
  if (!props || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: ConfigProblem[] = [];
  for (const [k, sub] of Object.entries(props)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || (sub as { type?: string }).type !== 'object') continue;
    const at = path ? `${path}.${k}` : k;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) out.push({ path: at, expected: 'an object', found: describeValue(v) });
    else out.push(...notObjects(sub, v, at));
  }
  return out;
}

function semanticProblems(c: ConfigFile): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (c.kommo) {
    if (!c.kommo.baseUrl && !c.kommo.subdomain) {
      out.push({ path: 'kommo', expected: 'baseUrl or subdomain', found: 'neither' });
    }
    if (!c.kommo.token && !c.kommo.oauth) {
      out.push({ path: 'kommo', expected: 'token (long-lived) or oauth', found: 'neither' });
    }
  }
  // The capability grants' patterns (issue 19): a bad one is named with where it is.
  for (const line of grantProblems((c.hooks ?? {}) as Record<string, HookGrantConfig | undefined>)) {
    const at = line.indexOf(': ');
    out.push({ path: line.slice(0, at), expected: 'a valid pattern', found: line.slice(at + 2) });
  }
  if (c.ami && !c.kommo) out.push({ path: 'kommo', expected: 'a Kommo account, since ami is configured', found: 'no kommo section' });
  if (c.cel) {
    if (c.cel.type === 'csv' && !c.cel.path) out.push({ path: 'cel.path', expected: 'the CSV file cel_custom writes, since cel.type is "csv"', found: 'nothing (the key is missing)' });
    if (c.cel.type !== 'csv' && !c.cel.url) out.push({ path: 'cel.url', expected: `a connection URL (${c.cel.type}://user@host:port/database), since cel.type is "${c.cel.type}"`, found: 'nothing (the key is missing)' });
    const tz = c.cel.timezone;
    if (tz !== undefined && !validZone(tz)) out.push({ path: 'cel.timezone', expected: 'an IANA time zone such as "Europe/Moscow" or "UTC"', found: `"${tz}"` });
  }
  if (c.kommo && !c.ami) out.push({ path: 'ami', expected: 'an Asterisk connection, since kommo is configured', found: 'no ami section' });
  return out;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function resolveSecrets(c: ConfigFile, env: NodeJS.ProcessEnv): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const visit = (node: unknown, path: string[]) => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (isEnvSecret(v)) {
        const val = env[v.env];
        if (val === undefined || val === '') {
          out.push({ path: [...path, k].join('.'), expected: `environment variable ${v.env} to be set`, found: 'it is not set' });
        } else {
          (node as Record<string, unknown>)[k] = val;
        }
      } else {
        visit(v, [...path, k]);
      }
    }
  };
  visit(c, []);
  return out;
}

function isEnvSecret(v: unknown): v is { env: string } {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { env?: unknown }).env === 'string';
}

function toProblem(e: ValueError): ConfigProblem {
  const path = e.path.split('/').filter(Boolean).join('.');
  const found = describeValue(e.value);
  if (e.message === 'Unexpected property') {
    const parentPath = e.path.split('/').slice(0, -1).join('/');
    const parent = schemaAt(ConfigSchema, parentPath);
    const allowed = parent && (parent as unknown as { properties?: object }).properties ? Object.keys((parent as unknown as { properties: object }).properties).filter((k) => k !== '$schema') : [];
    const key = path.split('.').pop();
    // A map whose keys follow a pattern (users: extension → Kommo user id): say what a key must look like.
    const keyPattern = parent ? Object.keys((parent as unknown as { patternProperties?: object }).patternProperties ?? {})[0] : undefined;
    if (keyPattern) {
      const what = keyPattern === '^\\d+$' ? 'digits only' : `matching ${keyPattern}`;
      const described = (parent as { description?: string }).description;
      return { path, expected: `a key of ${what}${described ? ` (${described})` : ''}`, found: `the key "${key}"` };
    }
    return { path, expected: allowed.length ? `one of the known keys: ${allowed.join(', ')}` : 'no such key', found: `unknown key "${key}"` };
  }
  if (e.schema.format === 'ip-or-cidr') {
    return { path, expected: 'an IP address or a CIDR block, like "127.0.0.1", "::1" or "10.0.0.0/8"', found };
  }
  if (e.schema.format === 'regex' && typeof e.value === 'string') {
    return { path, expected: 'a valid regular expression', found: `${found}: ${regexError(e.value)}` };
  }
  return { path, expected: describeExpected(e.schema, e.message), found };
}

function describeExpected(schema: TSchema, message: string): string {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (anyOf && anyOf.every((s) => 'const' in s)) return `one of ${anyOf.map((s) => JSON.stringify((s as unknown as { const: unknown }).const)).join(', ')}`;
  if (anyOf && anyOf.some((s) => (s as { properties?: { env?: unknown } }).properties?.env)) return 'a non-empty string, or {"env": "VARIABLE"}';
  return message.replace(/^Expected /, '');
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (the key is missing)';
  const json = JSON.stringify(v);
  const type = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  return `${type} ${json.length > 60 ? `${json.slice(0, 57)}...` : json}`;
}

function schemaAt(root: TSchema, pointer: string): TSchema | undefined {
  let s: TSchema | undefined = root;
  for (const part of pointer.split('/').filter(Boolean)) {
    const props: Record<string, TSchema> | undefined = (s as { properties?: Record<string, TSchema> } | undefined)?.properties;
    s = props?.[part];
    if (!s) return undefined;
  }
  return s;
}

function fail(code: ConfigCode, file: string | null, problems: ConfigProblem[]): LoadResult {
  const where = file ?? 'the configuration';
  const lines = problems.map((p) => `  - ${p.path || '(file)'}: expected ${p.expected}, found ${p.found}`);
  const message =
    code === 'CONFIG_UNREADABLE'
      ? `cannot read ${where}:\n${lines.join('\n')}`
      : `${where} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`;
  const hint =
    code === 'CONFIG_UNREADABLE'
      ? 'Check the path (--config, $HOOKLINE_CONFIG or ./hookline.config.json) and that the file is valid JSON.'
      : 'Fix each key listed (docs/config.md describes every key; config/hookline.config.schema.json gives your editor completion).';
  return { ok: false, error: { code, file, problems, message, hint } };
}
