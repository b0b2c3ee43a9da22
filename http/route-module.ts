/**
 * What a feature brings to the service's one HTTP server: its routes, and which of its requests skip the session
 * gate. The server knows no feature; app/ (or a feature's own start function) hands it the modules.
 */
import type { FastifyInstance } from 'fastify';

export interface RouteModule {
  name: string;
  register(app: FastifyInstance): void | Promise<void>;
  /**
   * True for a request that skips the session, JSON-only and Origin checks (http/gate.ts): that route
   * authenticates on its own (a signed link, a bearer token, an address allow-list).
   */
  isPublic?(url: string, method: string): boolean;
  /**
   * True for a request that carries its own credential (a signed link, a bearer token): it is answered whatever
   * its Host names (http/hosts.ts). Not for a route that trusts the client's address (an allow-list, loopback):
   * that is what a DNS-rebinding page borrows.
   */
  anyHost?(url: string, method: string): boolean;
}
