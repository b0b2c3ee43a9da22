/**
 * Users (https://developers.kommo.com/reference/users-list) and the account
 * (https://developers.kommo.com/reference/account-parameters), plus the OAuth token endpoint
 * (https://developers.kommo.com/reference/get-token).
 */
import { links, listPage, paging } from '../hal.ts';
import { noContent, ok, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoUser } from '../types.ts';
import { withList } from './common.ts';
import { taskTypesOf } from './tasks.ts';

const FULL = { view: 'A', edit: 'A', add: 'A', delete: 'A', export: 'A' };

function userView(u: KommoUser, ctx: RouteContext): Record<string, unknown> {
  return {
    id: u.id, name: u.name, email: u.email, lang: u.lang,
    rights: { leads: FULL, contacts: FULL, companies: FULL, tasks: { edit: 'A', delete: 'A' }, mail_access: false, catalog_access: false, status_rights: [], ...u.rights },
    _links: links(ctx.base, `/api/v4/users/${u.id}`),
  };
}

function listUsers(req: RouteRequest, ctx: RouteContext): SimReply {
  const p = paging(req.query, ctx.limits.maxPageLimit);
  if ('reply' in p) return p.reply;
  return listPage(ctx.store.users.map((u) => userView(u, ctx)), { base: ctx.base, path: '/api/v4/users', query: req.query, entity: 'users', withTotal: true, withPageCount: true, ...p });
}

function getUser(req: RouteRequest, ctx: RouteContext): SimReply {
  const u = ctx.store.users.find((x) => x.id === Number(req.params.id));
  return u ? ok(userView(u, ctx)) : noContent();
}

function account(req: RouteRequest, ctx: RouteContext): SimReply {
  const a = ctx.store.account;
  const embedded = withList(req.query).includes('task_types') ? { _embedded: { task_types: taskTypesOf(ctx.store) } } : {};
  return ok({
    id: a.id, name: a.name, subdomain: a.subdomain, created_at: a.created_at, created_by: a.current_user_id,
    updated_at: a.created_at, updated_by: a.current_user_id, current_user_id: a.current_user_id, country: a.country,
    currency: a.currency, currency_symbol: a.currency_symbol, customers_mode: 'disabled', is_unsorted_on: true,
    mobile_feature_version: 0, is_loss_reason_enabled: true, is_helpbot_enabled: false, is_technical_account: false,
    contact_name_display_order: 1, _links: links(ctx.base, '/api/v4/account'), ...embedded,
  });
}

function token(req: RouteRequest, ctx: RouteContext): SimReply {
  return ctx.tokens.token(req.body.kind === 'json' ? req.body.value : undefined);
}

export const accountRoutes: RouteDef[] = [
  { method: 'GET', url: '/api/v4/users', auth: 'bearer', handler: listUsers },
  { method: 'GET', url: '/api/v4/users/:id', auth: 'bearer', handler: getUser },
  { method: 'GET', url: '/api/v4/account', auth: 'bearer', handler: account },
  { method: 'POST', url: '/oauth2/access_token', auth: 'none', handler: token },
];
