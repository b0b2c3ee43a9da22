/**
 * The `.d.ts` the editor loads for IntelliSense (and `hookline check` compiles against), printed from the
 * TypeBox schemas of contracts/, with each schema's description as JSDoc.
 */
import { OptionalKind, type TSchema } from '@sinclair/typebox';
import {
  CallFullSchema, CallStageSchema, ChannelSchema, ChannelStateSchema, ChannelTypeSchema, ConversationSchema, DealSchema,
  EntitySchema, PartySchema, TrunkSchema, UserSchema,
} from './call-full.ts';
import { HOOK_NAMES, type HookName } from './contract.ts';
import { errorCodes } from './errors.ts';
import { hooks } from './hooks/index.ts';

export const GENERATED_HEADER = 'Generated from contracts/ by npm run gen:contracts — do not edit';

/** Shared types, printed once and referred to by name everywhere else. */
const NAMED: TSchema[] = [
  CallFullSchema, ChannelSchema, ConversationSchema, PartySchema, TrunkSchema, UserSchema, EntitySchema, DealSchema,
  ChannelStateSchema, ChannelTypeSchema, CallStageSchema,
];

const NAMED_IDS = new Set(NAMED.map((n) => String((n as Record<string, unknown>).$id)));

type S = TSchema & Record<string, unknown>;

function doc(description: unknown, indent: string): string {
  if (typeof description !== 'string' || !description) return '';
  return `${indent}/** ${description.replace(/\*\//g, '*\\/')} */\n`;
}

function printType(schema: TSchema, indent: string, top = false): string {
  const s = schema as S;
  if (!top && typeof s.$id === 'string' && NAMED_IDS.has(s.$id)) return s.$id;
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf)) return (s.anyOf as TSchema[]).map((x) => printType(x, indent)).join(' | ');
  switch (s.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${wrap(printType(s.items as TSchema, indent))}[]`;
    case 'object': {
      if (s.patternProperties) {
        const value = Object.values(s.patternProperties as Record<string, TSchema>)[0] as TSchema;
        return `Record<string, ${printType(value, indent)}>`;
      }
      const props = (s.properties ?? {}) as Record<string, TSchema>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      const inner = `${indent}  `;
      const lines = Object.entries(props).map(([k, p]) => {
        const opt = !required.has(k) || (p as S)[OptionalKind] === 'Optional' ? '?' : '';
        return `${doc((p as S).description, inner)}${inner}${safeKey(k)}${opt}: ${printType(p, inner)};`;
      });
      if (s.additionalProperties !== false) lines.push(`${inner}/** other fields can also be set: they go to Kommo as they are */\n${inner}[key: string]: unknown;`);
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    default:
      return 'unknown';
  }
}

const wrap = (t: string) => (t.includes('|') ? `(${t})` : t);
const safeKey = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

function printNamed(schema: TSchema): string {
  const s = schema as S;
  const body = printType(schema, '', true);
  return s.type === 'object' && !s.patternProperties
    ? `${doc(s.description, '')}interface ${String(s.$id)} ${body}`
    : `${doc(s.description, '')}type ${String(s.$id)} = ${body};`;
}

function hookMap(name: string, pick: (h: HookName) => string): string {
  const lines = HOOK_NAMES.map((h) => `${doc(hooks[h].summary, '  ')}  ${h}: ${pick(h)};`);
  return `interface ${name} {\n${lines.join('\n')}\n}`;
}

/**
 * The typings. With a hook: also the global `HookInput`, `HookData` and `HookResult` of that hook, so a script
 * reads `export default function (input: HookInput): HookResult { … }`.
 */
export function editorTypings(hook?: HookName): string {
  // The contracts are fixed for the life of the process: print each variant once.
  const key = hook ?? '';
  let text = printed.get(key);
  if (text === undefined) {
    text = printTypings(hook);
    printed.set(key, text);
  }
  return text;
}

const printed = new Map<string, string>();

/**
 * What a script may do outside its sandbox (issue 19, capabilities/): each call is carried out by hookline, only
 * as far as the config grants it for the hook (hooks.<hook>.fetch / kommo / store), and a refusal rejects with
 * an Error whose `code` is one of the capability codes of docs/errors.md. In a replay nothing is sent.
 */
const CAPABILITY_TYPINGS = `/** Why a capability call was refused or failed (docs/errors.md). */
interface CapabilityError extends Error {
  code: 'CAPABILITY_NOT_GRANTED' | 'FETCH_REFUSED' | 'FETCH_TOO_LARGE' | 'FETCH_TIMEOUT' | 'FETCH_FAILED' | 'CAPABILITY_LIMIT' | 'NOT_IN_CAPTURE' | 'KOMMO_REQUEST_FAILED' | 'STORE_LIMIT' | 'CAPABILITY_BAD_ARGUMENT';
}
/** A fetch's answer: plain data, the body already read (as text; json() parses it). */
interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  /** The final URL, after redirects (followed only within the grant). */
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: { get(name: string): string | null; has(name: string): boolean; entries(): [string, string][] };
  /** True in a replay for a write the capture has no answer for: it was not sent (status 202). */
  readonly dryRun: boolean;
  text(): Promise<string>;
  json(): Promise<any>;
}
interface FetchInit {
  /** GET (default), HEAD, POST, PUT, PATCH, DELETE, OPTIONS. */
  method?: string;
  headers?: Record<string, string>;
  /** A string: JSON.stringify(data) with a content-type header for JSON. */
  body?: string;
}
/**
 * An HTTP request carried out by hookline, to the URLs hooks.<hook>.fetch.allow grants (https unless a pattern says
 * http); loopback, private and metadata addresses only when a pattern names the address. Within the hook's own
 * timeout; each request is logged (query values left out). In a replay, reads are served from the capture and
 * writes are listed as "would send", never sent.
 */
declare function fetch(url: string, init?: FetchInit): Promise<FetchResponse>;
/** Kommo API v4 through hookline's own client (its token, rate limit and retries); the token is never visible. */
declare const kommo: {
  /**
   * GETs are granted by default; writes only for the routes hooks.<hook>.kommo.write names ("METHOD /api/v4/path",
   * a star for one path segment: docs/hooks.md). \`path\` starts with /api/v4/ and may carry a query.
   */
  request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
};
/** A small key-value store of this hook, kept in the data folder (granted by hooks.<hook>.store). */
declare const store: {
  /** The value, or null when absent or expired. */
  get<T = unknown>(key: string): Promise<T | null>;
  /** Plain JSON values within maxValueBytes; null deletes the key. */
  set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
};`;

function printTypings(hook?: HookName): string {
  const parts = [
    `// ${GENERATED_HEADER}`,
    ...NAMED.map(printNamed),
    `/** Error codes hookline reports for a script (see docs/errors.md). */\ntype HooklineErrorCode = ${errorCodes.map((c) => JSON.stringify(c)).join(' | ')};`,
    '/** console inside a script: captured (bounded) and shown with the result, never printed by the engine. */\ndeclare const console: {\n  log(...args: unknown[]): void;\n  info(...args: unknown[]): void;\n  warn(...args: unknown[]): void;\n  error(...args: unknown[]): void;\n};',
    CAPABILITY_TYPINGS,
    hookMap('HookInputs', (h) => printType(hooks[h].input, '  ', true)),
    hookMap('HookDatas', (h) => (hooks[h].output ? printType(hooks[h].output as TSchema, '  ', true) : 'null')),
    '/** What a script returns: its data, and state "success" (any other state is a failure: the default is used). */\ntype HookResultOf<H extends keyof HookInputs> = H extends \'post_registration\' ? { state: \'success\'; data?: unknown } : { data: HookDatas[H]; state: \'success\' };',
  ];
  if (hook) {
    parts.push(
      `/** The input of ${hook}. */\ntype HookInput = HookInputs['${hook}'];`,
      `/** The data ${hook} returns. */\ntype HookData = HookDatas['${hook}'];`,
      `/** What the default export of a ${hook} script returns (or resolves to). */\ntype HookResult = HookResultOf<'${hook}'>;`,
    );
    const globals = (hooks[hook] as { globals?: string }).globals;
    if (globals) parts.push(globals.trim());
  }
  return `${parts.join('\n\n')}\n`;
}
