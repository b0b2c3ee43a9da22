/**
 * Pipelines with their statuses (https://www.amocrm.ru/developers/content/crm_platform/leads_pipelines) and
 * the custom fields of contacts, companies and leads (https://developers.kommo.com/reference/custom-fields).
 */
import { CUSTOM_FIELDS_PAGE_LIMIT } from '../limits.ts';
import { links, listPage, paging } from '../hal.ts';
import { noContent, ok, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoCustomField, KommoPipeline } from '../types.ts';

function pipelineView(p: KommoPipeline, ctx: RouteContext): Record<string, unknown> {
  const { statuses, ...rest } = p;
  const self = `/api/v4/leads/pipelines/${p.id}`;
  return {
    ...rest,
    account_id: ctx.store.account.id,
    _links: links(ctx.base, self),
    _embedded: {
      statuses: statuses.map((s) => ({ ...s, account_id: ctx.store.account.id, _links: links(ctx.base, `${self}/statuses/${s.id}`) })),
    },
  };
}

function listPipelines(_req: RouteRequest, ctx: RouteContext): SimReply {
  const pipes = ctx.store.pipelines;
  if (pipes.length === 0) return noContent();
  return ok({
    _total_items: pipes.length,
    _links: links(ctx.base, '/api/v4/leads/pipelines'),
    _embedded: { pipelines: pipes.map((p) => pipelineView(p, ctx)) },
  });
}

function getPipeline(req: RouteRequest, ctx: RouteContext): SimReply {
  const p = ctx.store.pipeline(Number(req.params.id));
  return p ? ok(pipelineView(p, ctx)) : noContent();
}

function fieldView(f: KommoCustomField, ctx: RouteContext): Record<string, unknown> {
  return { ...f, account_id: ctx.store.account.id, _links: links(ctx.base, `/api/v4/${f.entity_type}/custom_fields/${f.id}`) };
}

function fieldsOf(entity: 'contacts' | 'companies' | 'leads') {
  return (req: RouteRequest, ctx: RouteContext): SimReply => {
    const asked = paging(req.query, ctx.limits.maxPageLimit);
    if ('reply' in asked) return asked.reply;
    // A page holds at most CUSTOM_FIELDS_PAGE_LIMIT fields whatever `limit` asks (limits.ts): a client must follow
    // `_links.next`, not stop at a page shorter than the limit it sent.
    const p = { ...asked, limit: Math.min(asked.limit, CUSTOM_FIELDS_PAGE_LIMIT) };
    const fields = ctx.store.fieldsFor(entity).map((f) => fieldView(f, ctx));
    return listPage(fields, { base: ctx.base, path: `/api/v4/${entity}/custom_fields`, query: req.query, entity: 'custom_fields', withTotal: true, ...p });
  };
}

export const pipelineRoutes: RouteDef[] = [
  { method: 'GET', url: '/api/v4/leads/pipelines', auth: 'bearer', handler: listPipelines },
  { method: 'GET', url: '/api/v4/leads/pipelines/:id', auth: 'bearer', handler: getPipeline },
  { method: 'GET', url: '/api/v4/contacts/custom_fields', auth: 'bearer', handler: fieldsOf('contacts') },
  { method: 'GET', url: '/api/v4/companies/custom_fields', auth: 'bearer', handler: fieldsOf('companies') },
  { method: 'GET', url: '/api/v4/leads/custom_fields', auth: 'bearer', handler: fieldsOf('leads') },
];
