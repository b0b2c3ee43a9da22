/**
 * Runtime validation, compiled once per schema from the contracts: outputs the scripts return and inputs the
 * engine builds. A failure names the JSON path and what was expected and found; that text goes verbatim into
 * CONTRACT_VIOLATION and INVALID_INPUT messages.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/errors';
import type { HookContract, HookName } from './contract.ts';
import { hooks, type Hooks } from './hooks/index.ts';

type InputMap = { [K in HookName]: Static<Hooks[K]['input']> };
type OutputOf<O> = O extends TSchema ? Static<O> : null;
type DataMap = { [K in HookName]: OutputOf<Hooks[K]['output']> };
export type HookInput<H extends HookName> = InputMap[H];
export type HookData<H extends HookName> = DataMap[H];

export type Validation<T> = { ok: true; data: T } | { ok: false; detail: string; path: string };

const compiled = new Map<TSchema, TypeCheck<TSchema>>();
function checker(schema: TSchema): TypeCheck<TSchema> {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

export function validateInput<H extends HookName>(hook: H, input: unknown): Validation<HookInput<H>> {
  const r = check(hooks[hook].input, input);
  return r ? { ok: false, ...r } : { ok: true, data: input as HookInput<H> };
}

/**
 * Checks the `data` a script returned. Read-only keys are dropped first, silently; unknown keys are refused
 * unless the hook lets extra keys through; `null` is refused where Kommo refuses it.
 */
export function validateOutput<H extends HookName>(hook: H, data: unknown): Validation<HookData<H>> {
  // Read through the generic contract type: the per-hook union is too deep for the compiler here.
  const contract = hooks[hook] as HookContract;
  if (contract.output === null) return { ok: true, data: null as unknown as HookData<H> };
  if (data === undefined) return { ok: false, path: '', detail: 'data is missing: return { data, state: "success" }' };
  let value = data;
  if (contract.readOnly.length > 0 && isPlainObject(data)) {
    value = { ...data };
    for (const k of contract.readOnly) delete (value as Record<string, unknown>)[k];
  }
  if (contract.rejectNull) {
    const at = findNull(value, '');
    if (at !== null) {
      const fix = /\/\d+$/.test(at) ? 'remove the item instead' : 'leave the key out instead';
      return { ok: false, path: at, detail: `${at || '/'}: null is not allowed (Kommo rejects null values); ${fix}` };
    }
  }
  const r = check(contract.output as TSchema, value);
  if (r) return { ok: false, ...r };
  const result: Validation<unknown> = { ok: true, data: value };
  return result as Validation<HookData<H>>;
}

function check(schema: TSchema, value: unknown): { detail: string; path: string } | null {
  const c = checker(schema);
  if (c.Check(value)) return null;
  const first = c.Errors(value).First();
  if (!first) return { path: '', detail: 'does not match the contract' };
  return { path: first.path, detail: describeError(first) };
}

function describeError(e: ValueError): string {
  const where = e.path || '/';
  const s = e.schema as Record<string, unknown>;
  const found = describeValue(e.value);
  if (e.message === 'Unexpected property') return `${where}: unknown key "${e.path.split('/').pop()}" (this hook takes no extra keys)`;
  if (e.value === undefined) return `${where}: required key is missing`;
  if (typeof e.value === 'string' && typeof s.maxLength === 'number' && e.value.length > s.maxLength) {
    return `${where}: expected at most ${s.maxLength} characters, found ${e.value.length}`;
  }
  if (typeof e.value === 'string' && typeof s.minLength === 'number' && e.value.length < s.minLength) {
    return s.minLength === 1 ? `${where}: expected a non-empty string, found ""` : `${where}: expected at least ${s.minLength} characters, found ${e.value.length}`;
  }
  if (typeof e.value === 'string' && typeof s.pattern === 'string') {
    const why = String(s.description ?? `pattern ${s.pattern}`);
    const bad = firstRefusedChar(e.value, s.pattern);
    if (bad) return `${where}: ${bad.what} is not allowed, found one at character ${bad.at} of ${found} (${why})`;
    return `${where}: ${found} does not match the pattern ${s.pattern} (${why})`;
  }
  const anyOf = s.anyOf as { const?: unknown }[] | undefined;
  if (anyOf && anyOf.every((x) => 'const' in x)) return `${where}: expected one of ${anyOf.map((x) => JSON.stringify(x.const)).join(', ')}, found ${found}`;
  return `${where}: ${e.message.replace(/^Expected/, 'expected')}, found ${found}`;
}

/** For a pattern of the form ^[^…]*$ (a set of refused characters): the first refused one, and where. */
function firstRefusedChar(value: string, pattern: string): { what: string; at: number } | null {
  if (!/^\^\[\^.*\]\*\$$/.test(pattern)) return null;
  const re = new RegExp(pattern);
  const chars = [...value];
  const i = chars.findIndex((c) => !re.test(c));
  if (i < 0) return null;
  const c = chars[i] as string;
  const what = c === ',' ? 'a comma' : c.charCodeAt(0) < 0x20 || c === '\x7f' ? `a control character (${JSON.stringify(c)})` : JSON.stringify(c);
  return { what, at: i + 1 };
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const json = JSON.stringify(v);
  return `${typeof v} ${json.length > 40 ? `${json.slice(0, 37)}...` : json}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function findNull(v: unknown, path: string): string | null {
  if (v === null) return path;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findNull(v[i], `${path}/${i}`);
      if (r !== null) return r;
    }
  } else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const r = findNull(x, `${path}/${k}`);
      if (r !== null) return r;
    }
  }
  return null;
}

export function defaultData<H extends HookName>(hook: H, input: HookInput<H>): HookData<H> {
  return (hooks[hook] as HookContract).defaultData(input as never) as HookData<H>;
}
