/**
 * What a route is: a method, a URL pattern and a handler that reads the store and returns a SimReply. The
 * server wraps every Kommo route in the same steps (log, faults, rate limit, authentication), so the
 * handlers only do what the endpoint does.
 */
import type { Query } from './hal.ts';
import type { KommoBehaviour } from './behaviour.ts';
import type { KommoLimits } from './limits.ts';
import type { SimReply } from './problems.ts';
import type { KommoStore } from './store.ts';
import type { TokenBook } from './auth.ts';
import type { ParsedBody } from './validate.ts';

export interface RouteRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Query;
  body: ParsedBody;
}

export interface RouteContext {
  store: KommoStore;
  tokens: TokenBook;
  /** The emulator's own URL, used in `_links` (`http://127.0.0.1:<port>`). */
  base: string;
  limits: KommoLimits;
  /** Where Kommo's pages disagree, which way the emulator answers (behaviour.ts). */
  behaviour: KommoBehaviour;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** 'bearer' for the API; 'none' for the OAuth token endpoint, which authenticates by client secret. */
  auth: 'bearer' | 'none';
  handler: (req: RouteRequest, ctx: RouteContext) => SimReply;
}
