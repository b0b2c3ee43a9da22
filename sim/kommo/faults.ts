/**
 * Faults a test asks for: the next N requests (or the next N matching a method and path) answer 5xx, are
 * delayed, time out (the socket is held with no answer), get 429, have their connection reset, or are refused
 * as Kommo refuses data it will not take (`invalid`: 400 with `validation-errors` on one field of the first item).
 * Faults are taken before the rate limit and authentication, as a broken network or server would be.
 */

export type FaultKind =
  | { kind: 'error'; status?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'timeout' }
  | { kind: 'rate-limit' }
  | { kind: 'reset' }
  /** 400 `validation-errors` naming `field` of the request's first item (code default NotSupportedChoice). */
  | { kind: 'invalid'; field: string; code?: string; detail?: string };

export type FaultRule = FaultKind & {
  /** How many matching requests get the fault: a count (default 1) or 'always' until cleared. */
  times?: number | 'always';
  /** Only requests with this method (any case). */
  method?: string;
  /** Only requests to this path (no query); a trailing `*` matches a prefix: `/api/v4/leads*`. */
  path?: string;
};

export interface ActiveFault {
  id: string;
  rule: FaultRule;
  remaining: number | 'always';
  hits: number;
}

const KINDS = ['error', 'delay', 'timeout', 'rate-limit', 'reset', 'invalid'] as const;

/** Checks a rule from a test or from `POST /__sim/faults`; the message says what is wrong. */
export function checkFaultRule(x: unknown): { ok: true; rule: FaultRule } | { ok: false; message: string } {
  if (typeof x !== 'object' || x === null) return { ok: false, message: 'a fault is an object such as {"kind":"error","status":503,"times":2}' };
  const r = x as Record<string, unknown>;
  if (!KINDS.includes(r.kind as (typeof KINDS)[number])) return { ok: false, message: `kind must be one of ${KINDS.join(', ')}; got ${JSON.stringify(r.kind)}` };
  if (r.kind === 'error' && r.status !== undefined && !(Number.isInteger(r.status) && (r.status as number) >= 500 && (r.status as number) <= 599)) {
    return { ok: false, message: `status of an error fault must be 500..599; got ${JSON.stringify(r.status)}` };
  }
  if (r.kind === 'delay' && !(typeof r.ms === 'number' && r.ms >= 0)) return { ok: false, message: `a delay fault needs ms >= 0; got ${JSON.stringify(r.ms)}` };
  if (r.kind === 'invalid' && !(typeof r.field === 'string' && r.field !== '')) return { ok: false, message: `an invalid fault needs the field Kommo refuses, e.g. "responsible_user_id"; got ${JSON.stringify(r.field)}` };
  if (r.times !== undefined && r.times !== 'always' && !(Number.isInteger(r.times) && (r.times as number) >= 1)) {
    return { ok: false, message: `times must be a whole number >= 1 or "always"; got ${JSON.stringify(r.times)}` };
  }
  if (r.method !== undefined && typeof r.method !== 'string') return { ok: false, message: 'method must be a string' };
  if (r.path !== undefined && typeof r.path !== 'string') return { ok: false, message: 'path must be a string' };
  return { ok: true, rule: r as FaultRule };
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (!rule.path) return true;
  return rule.path.endsWith('*') ? path.startsWith(rule.path.slice(0, -1)) : path === rule.path;
}

export class FaultPlan {
  #faults: ActiveFault[] = [];
  #seq = 0;

  add(rule: FaultRule): string {
    this.#seq += 1;
    const id = `fault-${this.#seq}`;
    this.#faults.push({ id, rule, remaining: rule.times ?? 1, hits: 0 });
    return id;
  }

  /** The fault for this request, if any; counts it against the rule's `times`. */
  take(method: string, path: string): FaultRule | null {
    const f = this.#faults.find((x) => matches(x.rule, method, path));
    if (!f) return null;
    f.hits += 1;
    if (f.remaining !== 'always') {
      f.remaining -= 1;
      if (f.remaining <= 0) this.#faults = this.#faults.filter((x) => x !== f);
    }
    return f.rule;
  }

  list(): ActiveFault[] {
    return structuredClone(this.#faults);
  }

  clear(id?: string): void {
    this.#faults = id === undefined ? [] : this.#faults.filter((f) => f.id !== id);
  }
}
