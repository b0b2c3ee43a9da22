/**
 * startKommo: a Kommo API v4 emulator on 127.0.0.1, stateful and in memory, with a programmatic handle for
 * tests (state, received requests, faults, token expiry) and the same under /__sim for other processes.
 */
import Fastify, { type FastifyReply } from 'fastify';
import { silentLogger, type Logger } from '../../log/index.ts';
import { TokenBook, type KommoAuthOptions } from './auth.ts';
import { registerControlRoutes } from './control.ts';
import { FaultPlan, checkFaultRule, type ActiveFault, type FaultRule } from './faults.ts';
import { DEFAULT_BEHAVIOUR, type KommoBehaviour } from './behaviour.ts';
import { DEFAULT_LIMITS, type KommoLimits } from './limits.ts';
import { pipelineHandler, send, type PipelineDeps } from './pipeline.ts';
import { methodNotAllowed, notFound, problem, serverError, type SimReply, type TooManyRequestsBody } from './problems.ts';
import { RateLimiter } from './rate-limit.ts';
import { RequestLog, type KommoCounters, type KommoRequestRecord, type RequestFilter } from './request-log.ts';
import type { RouteContext, RouteDef } from './route.ts';
import { accountRoutes } from './routes/account.ts';
import { callRoutes } from './routes/calls.ts';
import { companyRoutes } from './routes/companies.ts';
import { contactRoutes } from './routes/contacts.ts';
import { leadRoutes } from './routes/leads.ts';
import { pipelineRoutes } from './routes/pipelines.ts';
import { taskRoutes } from './routes/tasks.ts';
import { noteRoutes } from './routes/notes.ts';
import { eventRoutes } from './routes/events.ts';
import { deleteEntity, editEntity, mergeEntities, type EntityEdit, type HolderKind } from './manager.ts';
import { unsortedRoutes } from './routes/unsorted.ts';
import { namedAccount, type AccountName } from './seeds.ts';
import { KommoStore } from './store.ts';
import type { CompanySeed, ContactSeed, CustomerSeed, KommoCustomer, KommoAccountSeed, KommoCompany, KommoContact, KommoLead, KommoState, LeadSeed } from './types.ts';
import type { ParsedBody } from './validate.ts';

export interface StartKommoOptions {
  /** Default 0: any free port. The host is always 127.0.0.1. */
  port?: number;
  /** A named account or a full seed. Default 'demo'. */
  account?: AccountName | KommoAccountSeed;
  auth?: KommoAuthOptions;
  /** Overrides of the limits in limits.ts (tests shrink the 403 block to milliseconds). */
  limits?: Partial<KommoLimits>;
  /** Where Kommo's pages disagree, which way to answer (behaviour.ts); default: the current reference. */
  behaviour?: Partial<KommoBehaviour>;
  /** The 429 body: the documented JSON (default) or the HTML page seen in the field. */
  tooManyRequestsBody?: TooManyRequestsBody;
  /** How many request records to keep (oldest dropped first); counters keep counting. Default 10,000. */
  maxRequestsLogged?: number;
  /** How much of request and response bodies (JSON length) the log keeps, oldest records dropped first. Default 16 MiB. */
  maxRequestsLoggedBytes?: number;
  /**
   * How many call records and how many tasks to keep, each (oldest dropped first; ids go on). Default 10,000: the
   * demo (`npm start` without a PBX) runs the emulator in hookline's process and adds them for as long as it runs.
   */
  maxCallsAndTasksKept?: number;
  /** The emulator's clock in ms since the epoch (token expiry, rate limit, timestamps). Default Date.now. */
  now?: () => number;
  logger?: Logger;
}

export interface KommoTokens {
  longLivedToken: string | null;
  accessToken: string | null;
  refreshToken: string | null;
}

export interface KommoSim {
  url: string;
  port: number;
  close(): Promise<void>;
  /** A copy of everything the account holds. */
  state(): KommoState;
  requests(filter?: RequestFilter): KommoRequestRecord[];
  counters(): KommoCounters;
  /** Back to the starting account (or another named one): state, log, faults, limiter and tokens. */
  reset(account?: AccountName | KommoAccountSeed): void;
  seedContacts(contacts: ContactSeed[]): KommoContact[];
  /** Companies with phones in the companies' `PHONE` field (none is seeded when the account has no such field). */
  seedCompanies(companies: CompanySeed[]): KommoCompany[];
  seedLeads(leads: LeadSeed[]): KommoLead[];
  /** Customers linked to contacts (a call goes to a contact's only customer when it has no active lead). */
  seedCustomers(customers: CustomerSeed[]): KommoCustomer[];
  /**
   * "A manager" at work in Kommo's interface (manager.ts): a contact or company edited (name, phones), deleted, or
   * others merged into it. Each moves `updated_at`; deletions and merges go to the events list. false when an id
   * is not a live entity of that kind.
   */
  editEntity(kind: HolderKind, id: number, edit: EntityEdit): boolean;
  deleteEntity(kind: HolderKind, id: number): boolean;
  mergeEntities(kind: HolderKind, keep: number, others: number[]): boolean;
  /** Removes a user from the account (an administrator deleting an employee while hookline runs); false when there was none. */
  removeUser(id: number): boolean;
  /** Adds a fault; returns its id. Throws a TypeError on a rule that makes no sense (a test's mistake). */
  fail(rule: FaultRule): string;
  faults(): ActiveFault[];
  clearFaults(id?: string): void;
  /** Expires one token, or every live OAuth access token (the long-lived one when OAuth is off). */
  expireToken(token?: string): string[];
  tokens(): KommoTokens;
  setLimits(limits: Partial<KommoLimits>): void;
  /** When the 403 block ends on the emulator's clock, or null when not blocked. */
  blockedUntil(): number | null;
}

const ROUTES: RouteDef[] = [...contactRoutes, ...companyRoutes, ...leadRoutes, ...pipelineRoutes, ...unsortedRoutes, ...callRoutes, ...noteRoutes, ...taskRoutes, ...accountRoutes, ...eventRoutes];

function patternOf(url: string): RegExp {
  return new RegExp(`^${url.replace(/:[^/]+/g, '[^/]+')}$`);
}
const PATTERNS = ROUTES.map((r) => ({ method: r.method, re: patternOf(r.url) }));

function parseBody(raw: string, contentType: string | undefined): ParsedBody {
  if (raw.trim() === '') return { kind: 'none' };
  if (contentType?.includes('application/x-www-form-urlencoded')) return { kind: 'json', value: Object.fromEntries(new URLSearchParams(raw)) };
  try {
    return { kind: 'json', value: JSON.parse(raw) as unknown };
  } catch {
    return { kind: 'invalid', raw };
  }
}

function seedOf(a: AccountName | KommoAccountSeed | undefined): KommoAccountSeed {
  return typeof a === 'object' ? structuredClone(a) : namedAccount(a ?? 'demo');
}

export async function startKommo(options: StartKommoOptions = {}): Promise<KommoSim> {
  const nowMs = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  let limits: KommoLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const behaviour: KommoBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  let seed = seedOf(options.account);
  const makeStore = () => new KommoStore(seed, () => Math.floor(nowMs() / 1000), options.maxCallsAndTasksKept);
  const makeTokens = (s: KommoStore) => new TokenBook(options.auth ?? {}, {
    nowMs, accessTtlSec: () => limits.accessTokenTtlSec, refreshTtlSec: () => limits.refreshTokenTtlSec,
    accountId: s.account.id, userId: s.account.current_user_id,
  });
  let store = makeStore();
  let tokens = makeTokens(store);
  const faults = new FaultPlan();
  const log = new RequestLog(options.maxRequestsLogged, options.maxRequestsLoggedBytes);
  const limiter = new RateLimiter(() => limits, nowMs);
  const held = new Set<FastifyReply>();
  let base = '';

  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    done(null, parseBody(String(body), req.headers['content-type']));
  });

  // What fastify itself refuses before a route runs (a body over the limit, a malformed URL) still gets a
  // Kommo-shaped problem body rather than fastify's own.
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) logger.error({ err }, 'sim/kommo: request failed before its route');
    return send(reply, status === 500 ? serverError(500) : problem(status, err.message));
  });

  const context = (): RouteContext => ({ store, tokens, base, limits, behaviour });
  const deps: PipelineDeps = { context, faults, limiter, log, nowMs, tooManyRequestsBody: () => options.tooManyRequestsBody ?? 'json', logger, held };
  for (const def of ROUTES) app.route({ method: def.method, url: def.url, handler: pipelineHandler(def, deps) });

  // Unknown Kommo paths go through the same steps (a real edge logs and limits them too), answering 404/405.
  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    if (path.startsWith('/__sim')) return reply.code(404).send({ error: `no control route ${req.method} ${path}` });
    const known = PATTERNS.some((p) => p.re.test(path));
    const r: SimReply = known ? methodNotAllowed() : notFound(req.method, `${base}${req.url}`);
    const def: RouteDef = { method: 'GET', url: '*', auth: 'none', handler: () => r };
    return pipelineHandler(def, deps)(req, reply);
  });

  const sim: KommoSim = {
    url: '', port: 0,
    async close() {
      for (const r of held) r.raw.destroy();
      held.clear();
      await app.close();
    },
    state: () => store.snapshot(),
    requests: (filter) => log.list(filter),
    counters: () => log.counters(),
    reset(account) {
      if (account !== undefined) seed = seedOf(account);
      store = makeStore();
      tokens = makeTokens(store);
      log.clear();
      faults.clear();
      limiter.reset();
    },
    seedContacts: (contacts) => contacts.map((c) => structuredClone(store.seedContact(c))),
    seedCompanies: (companies) => companies.map((c) => structuredClone(store.seedCompany(c))),
    seedLeads: (leads) => leads.map((l) => structuredClone(store.seedLead(l))),
    seedCustomers: (customers) => customers.map((c) => structuredClone(store.seedCustomer(c))),
    editEntity: (kind, id, edit) => editEntity(store, kind, id, edit),
    deleteEntity: (kind, id) => deleteEntity(store, kind, id),
    mergeEntities: (kind, keep, others) => mergeEntities(store, kind, keep, others),
    removeUser(id) {
      const before = store.users.length;
      store.users = store.users.filter((u) => u.id !== id);
      return store.users.length < before;
    },
    fail(rule) {
      const checked = checkFaultRule(rule);
      if (!checked.ok) throw new TypeError(`sim/kommo fail(): ${checked.message}`);
      return faults.add(checked.rule);
    },
    faults: () => faults.list(),
    clearFaults: (id) => faults.clear(id),
    expireToken: (token) => tokens.expire(token),
    tokens: () => tokens.tokens(),
    setLimits(l) { limits = { ...limits, ...l }; },
    blockedUntil: () => limiter.blockedUntil(),
  };
  registerControlRoutes(app, () => sim);

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  base = `http://127.0.0.1:${port}`;
  sim.url = base;
  sim.port = port;
  return sim;
}
