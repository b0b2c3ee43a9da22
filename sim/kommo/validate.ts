/**
 * Field checks that produce Kommo's validation errors: `{code, path, detail}` with Symfony's wording, as in
 * the documented example (https://developers.kommo.com/docs/http-codes) and the field reports of
 * `NotNullable` (https://github.com/amocrm/amocrm-api-php/issues/383, /issues/570).
 */
import { emptyBody, limitExceeded, validationFailed, type FieldError, type SimReply, type ValidationItem } from './problems.ts';

export type Kind = 'int' | 'string' | 'bool' | 'array' | 'object' | 'int|string' | 'string|int';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasKind(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'int': return Number.isInteger(v);
    case 'string': return typeof v === 'string';
    case 'bool': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return isObject(v);
    case 'int|string':
    case 'string|int': return typeof v === 'string' || Number.isInteger(v);
  }
}

const TYPE_WORD: Record<Kind, string> = { int: 'int', string: 'string', bool: 'bool', array: 'array', object: 'array', 'int|string': 'int or string', 'string|int': 'string or int' };

export interface FieldRule {
  required?: boolean;
  choices?: readonly (string | number)[];
}

/**
 * Reads `obj[key]`, adding an error when it is `null`, of the wrong type, or not one of `choices`.
 * Returns the value when it passed, `undefined` otherwise (or when absent and optional).
 */
export function field(errors: FieldError[], obj: JsonObject, key: string, kind: Kind, path: string, rule: FieldRule = {}): unknown {
  if (!(key in obj) || obj[key] === undefined) {
    if (rule.required) errors.push({ code: 'NotBlank', path, detail: 'This value should not be blank.' });
    return undefined;
  }
  const v = obj[key];
  if (v === null) {
    errors.push({ code: 'NotNullable', path, detail: 'This value should not be null.' });
    return undefined;
  }
  if (!hasKind(v, kind)) {
    errors.push({ code: 'InvalidType', path, detail: `This value should be of type ${TYPE_WORD[kind]}.` });
    return undefined;
  }
  if (rule.choices && !rule.choices.includes(v as string | number)) {
    errors.push({ code: 'NotSupportedChoice', path, detail: 'The value you selected is not a valid choice.' });
    return undefined;
  }
  return v;
}

/**
 * Kommo answers a field it does not take with `FieldNotExpected` ("This field was not expected.";
 * https://github.com/Krukov/amocrm_api/issues/68, /issues/112). `allowed` is the documented field list of the route.
 */
export function notExpected(errors: FieldError[], obj: JsonObject, allowed: readonly string[], prefix = ''): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) errors.push({ code: 'FieldNotExpected', path: `${prefix}${k}`, detail: 'This field was not expected.' });
  }
}

/** `request_id` as sent (made a string), or the item's index, as Kommo echoes it. */
export function requestIdOf(item: unknown, index: number): string {
  if (isObject(item) && (typeof item.request_id === 'string' || typeof item.request_id === 'number')) return String(item.request_id);
  return String(index);
}

/** The parsed request body: JSON, or a body that did not parse, or no body at all. */
export type ParsedBody = { kind: 'json'; value: unknown } | { kind: 'invalid'; raw: string } | { kind: 'none' };

/** The array a write takes, or the answer Kommo gives to a body that is empty, not JSON, not an array or too long. */
export function itemsOf(body: ParsedBody, maxEntities: number): { items: unknown[] } | { reply: SimReply } {
  if (body.kind !== 'json' || body.value === null || body.value === '') return { reply: emptyBody() };
  const v = body.value;
  if (!Array.isArray(v)) {
    if (isObject(v) && Object.keys(v).length === 0) return { reply: emptyBody() };
    return { reply: validationFailed([{ request_id: '0', errors: [{ code: 'InvalidType', path: '', detail: 'This value should be of type array.' }] }]) };
  }
  if (v.length === 0) return { reply: emptyBody() };
  if (v.length > maxEntities) return { reply: limitExceeded(maxEntities) };
  return { items: v };
}

/** Runs `check` on every item; answers 400 with every item's errors if any item has one. */
export function checkAll(items: unknown[], check: (item: JsonObject, errors: FieldError[]) => void): SimReply | null {
  const failed: ValidationItem[] = [];
  items.forEach((item, i) => {
    const errors: FieldError[] = [];
    if (!isObject(item)) errors.push({ code: 'InvalidType', path: '', detail: 'This value should be of type array.' });
    else check(item, errors);
    if (errors.length > 0) failed.push({ request_id: requestIdOf(item, i), errors });
  });
  return failed.length > 0 ? validationFailed(failed) : null;
}

/** The object a single-entity write (`PATCH /api/v4/contacts/{id}`) takes, or Kommo's answer to a bad body. */
export function objectOf(body: ParsedBody): { item: JsonObject } | { reply: SimReply } {
  if (body.kind !== 'json' || body.value === null || body.value === '') return { reply: emptyBody() };
  if (!isObject(body.value)) {
    return { reply: validationFailed([{ request_id: '0', errors: [{ code: 'InvalidType', path: '', detail: 'This value should be of type array.' }] }]) };
  }
  if (Object.keys(body.value).length === 0) return { reply: emptyBody() };
  return { item: body.value };
}
