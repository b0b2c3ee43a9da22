/**
 * Every Kommo request the engine makes, seen from outside the client: `observeKommo(client, observer)` answers
 * the same client with each operation reported when its answer is in (operation, HTTP method and route, the
 * call it was for, its arguments and its answer, how long it took). The call's story (stories/) records them and
 * the dry run serves reads back from them. It sees what the registrar asked and got, before batching merges
 * the writes of several calls into one HTTP request, and with no credential: tokens live in the transport's
 * headers, never in arguments or answers.
 */
import type { KommoClient } from './client.ts';

/** The client's operations: the HTTP method and route each sends, whether it writes, and how many arguments come before its context. */
export const KOMMO_OPS = {
  findContactsByPhone: { method: 'GET', route: '/api/v4/contacts', write: false, args: 1 },
  findCompaniesByPhone: { method: 'GET', route: '/api/v4/companies', write: false, args: 1 },
  hasCompanies: { method: 'GET', route: '/api/v4/companies', write: false, args: 0 },
  getCompany: { method: 'GET', route: '/api/v4/companies/:id', write: false, args: 1 },
  getContact: { method: 'GET', route: '/api/v4/contacts/:id', write: false, args: 1 },
  addContacts: { method: 'POST', route: '/api/v4/contacts', write: true, args: 1 },
  updateContacts: { method: 'PATCH', route: '/api/v4/contacts', write: true, args: 1 },
  addLeads: { method: 'POST', route: '/api/v4/leads', write: true, args: 1 },
  updateLeads: { method: 'PATCH', route: '/api/v4/leads', write: true, args: 1 },
  getLead: { method: 'GET', route: '/api/v4/leads/:id', write: false, args: 1 },
  pipelines: { method: 'GET', route: '/api/v4/leads/pipelines', write: false, args: 0 },
  contactFields: { method: 'GET', route: '/api/v4/contacts/custom_fields', write: false, args: 0 },
  checkPhoneField: { method: 'GET', route: '/api/v4/contacts/custom_fields', write: false, args: 0 },
  addUnsortedSip: { method: 'POST', route: '/api/v4/leads/unsorted/sip', write: true, args: 1 },
  findUnsorted: { method: 'GET', route: '/api/v4/leads/unsorted', write: false, args: 1 },
  addCalls: { method: 'POST', route: '/api/v4/calls', write: true, args: 1 },
  addTasks: { method: 'POST', route: '/api/v4/tasks', write: true, args: 1 },
  users: { method: 'GET', route: '/api/v4/users', write: false, args: 0 },
  callNotes: { method: 'GET', route: '/api/v4/:entity/:id/notes', write: false, args: 2 },
  customersOf: { method: 'GET', route: '/api/v4/contacts/:id', write: false, args: 1 },
  openTasks: { method: 'GET', route: '/api/v4/tasks', write: false, args: 2 },
  account: { method: 'GET', route: '/api/v4/account', write: false, args: 0 },
  taskTypes: { method: 'GET', route: '/api/v4/account', write: false, args: 0 },
} as const satisfies Record<string, { method: string; route: string; write: boolean; args: number }>;

export type KommoOp = keyof typeof KOMMO_OPS;

/**
 * A client found in the local phone index (engine/phone-index: no request to Kommo), reported to the same observer
 * so a call's story shows where its client came from and the dry run answers the same lookup the same way.
 */
export const INDEX_LOOKUP = { op: 'phoneIndexLookup', method: 'LOOKUP', route: 'phone index (local, no request)' } as const;

/** One operation and its answer (a KommoResult, an array of them for writes, or the PHONE field check). */
export interface KommoExchange {
  op: KommoOp | typeof INDEX_LOOKUP.op;
  method: string;
  route: string;
  write: boolean;
  /** The call it was for (its RequestContext), or null (account reads at start, the status page's checks). */
  linkedid: string | null;
  args: unknown[];
  result: unknown;
  /** When it was asked (ms since the epoch) and how long its answer took. */
  at: number;
  durationMs: number;
}

/** Must not throw; called as each answer arrives. */
export type KommoObserver = (x: KommoExchange) => void;

export const isKommoOp = (x: string): x is KommoOp => Object.hasOwn(KOMMO_OPS, x);

export function observeKommo(client: KommoClient, observe: KommoObserver): KommoClient {
  const wrapped: KommoClient = { ...client };
  for (const op of Object.keys(KOMMO_OPS) as KommoOp[]) {
    const spec = KOMMO_OPS[op];
    const original = client[op];
    const value = async (...all: unknown[]): Promise<unknown> => {
      const at = Date.now();
      const t = performance.now();
      const result: unknown = await Reflect.apply(original, client, all);
      const ctx: unknown = all[spec.args];
      const linkedid = typeof ctx === 'object' && ctx !== null && 'linkedid' in ctx && typeof ctx.linkedid === 'string' ? ctx.linkedid : null;
      try {
        observe({ op, method: spec.method, route: spec.route, write: spec.write, linkedid, args: all.slice(0, spec.args), result, at, durationMs: performance.now() - t });
      } catch {
        // an observer's fault never reaches the registrar
      }
      return result;
    };
    Object.defineProperty(wrapped, op, { value, enumerable: true });
  }
  return wrapped;
}
