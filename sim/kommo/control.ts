/**
 * The emulator's own routes under /__sim (never under /api/v4): state, received requests, counters,
 * faults, token expiry, reset and seeding, for tests in other processes and for operators. They are not
 * rate limited, not authenticated and not logged as Kommo requests.
 */
import type { FastifyInstance } from 'fastify';
import { checkFaultRule } from './faults.ts';
import type { RequestFilter } from './request-log.ts';
import { ACCOUNT_NAMES, type AccountName } from './seeds.ts';
import type { KommoSim } from './server.ts';
import type { CompanySeed, ContactSeed, LeadSeed } from './types.ts';
import type { EntityEdit } from './manager.ts';
import { isObject, type ParsedBody } from './validate.ts';

function json(b: unknown): unknown {
  const p = b as ParsedBody | undefined;
  return p?.kind === 'json' ? p.value : undefined;
}

function filterOf(q: Record<string, string | undefined>): RequestFilter {
  const f: RequestFilter = {};
  if (q.route) f.route = q.route;
  if (q.method) f.method = q.method;
  if (q.path) f.path = q.path;
  if (q.status) f.status = Number(q.status);
  if (q.since) f.since = Number(q.since);
  return f;
}

export function registerControlRoutes(app: FastifyInstance, sim: () => KommoSim): void {
  const bad = (message: string) => ({ error: message });
  app.get('/__sim/state', async () => sim().state());
  app.get('/__sim/requests', async (req) => sim().requests(filterOf(req.query as Record<string, string | undefined>)));
  app.get('/__sim/counters', async () => sim().counters());
  app.get('/__sim/tokens', async () => sim().tokens());
  app.get('/__sim/faults', async () => sim().faults());
  app.post('/__sim/faults', async (req, reply) => {
    const checked = checkFaultRule(json(req.body));
    if (!checked.ok) return reply.code(400).send(bad(checked.message));
    return reply.code(201).send({ id: sim().fail(checked.rule) });
  });
  app.delete('/__sim/faults', async (_req, reply) => {
    sim().clearFaults();
    return reply.code(204).send();
  });
  app.post('/__sim/expire-token', async (req) => {
    const b = json(req.body);
    const token = isObject(b) && typeof b.token === 'string' ? b.token : undefined;
    return { expired: sim().expireToken(token) };
  });
  app.post('/__sim/reset', async (req, reply) => {
    const b = json(req.body);
    const name = isObject(b) ? b.account : undefined;
    if (name !== undefined && !ACCOUNT_NAMES.includes(name as AccountName)) {
      return reply.code(400).send(bad(`account must be one of ${ACCOUNT_NAMES.join(', ')}; got ${JSON.stringify(name)}`));
    }
    sim().reset(name as AccountName | undefined);
    return reply.code(204).send();
  });
  app.post('/__sim/contacts', async (req, reply) => {
    const b = json(req.body);
    if (!Array.isArray(b) || !b.every((c) => isObject(c) && typeof c.name === 'string')) {
      return reply.code(400).send(bad('expected an array of {name, phones?: string[], responsible_user_id?}'));
    }
    return reply.code(201).send(sim().seedContacts(b as ContactSeed[]));
  });
  app.post('/__sim/companies', async (req, reply) => {
    const b = json(req.body);
    if (!Array.isArray(b) || !b.every((c) => isObject(c) && typeof c.name === 'string')) {
      return reply.code(400).send(bad('expected an array of {name, phones?: string[], responsible_user_id?}'));
    }
    return reply.code(201).send(sim().seedCompanies(b as CompanySeed[]));
  });
  // "A manager" editing, deleting and merging contacts and companies (manager.ts).
  const kindOf = (k: string) => (k === 'contacts' || k === 'companies' ? k : null);
  app.patch('/__sim/:kind/:id', async (req, reply) => {
    const { kind, id } = req.params as { kind: string; id: string };
    const b = json(req.body);
    const k = kindOf(kind);
    if (!k || !isObject(b)) return reply.code(400).send(bad('expected PATCH /__sim/contacts|companies/:id with {name?, phones?: string[]}'));
    return sim().editEntity(k, Number(id), b as EntityEdit) ? reply.code(204).send() : reply.code(404).send(bad(`no live ${kind} ${id}`));
  });
  app.delete('/__sim/:kind/:id', async (req, reply) => {
    const { kind, id } = req.params as { kind: string; id: string };
    const k = kindOf(kind);
    if (!k) return reply.code(400).send(bad('expected DELETE /__sim/contacts|companies/:id'));
    return sim().deleteEntity(k, Number(id)) ? reply.code(204).send() : reply.code(404).send(bad(`no live ${kind} ${id}`));
  });
  app.post('/__sim/:kind/:id/merge', async (req, reply) => {
    const { kind, id } = req.params as { kind: string; id: string };
    const b = json(req.body);
    const k = kindOf(kind);
    const others = isObject(b) && Array.isArray(b.ids) ? b.ids.map(Number) : null;
    if (!k || !others) return reply.code(400).send(bad('expected POST /__sim/contacts|companies/:id/merge with {ids: number[]} (merged into :id)'));
    return sim().mergeEntities(k, Number(id), others) ? reply.code(204).send() : reply.code(404).send(bad(`not every id is a live ${kind}`));
  });
  app.delete('/__sim/users/:id', async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    if (!Number.isInteger(id)) return reply.code(400).send(bad('expected a numeric user id in the path'));
    return sim().removeUser(id) ? reply.code(204).send() : reply.code(404).send(bad(`no user ${id} in the account`));
  });
  app.post('/__sim/leads', async (req, reply) => {
    const b = json(req.body);
    if (!Array.isArray(b) || !b.every((l) => isObject(l) && typeof l.name === 'string')) {
      return reply.code(400).send(bad('expected an array of {name, contact_ids?: number[], company_id?, status_id?, pipeline_id?}'));
    }
    return reply.code(201).send(sim().seedLeads(b as LeadSeed[]));
  });
}
