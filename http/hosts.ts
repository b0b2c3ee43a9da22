/**
 * The Host check, before every other (DNS rebinding). A page on attacker.example whose name is made to resolve to
 * hookline's address talks to hookline from the victim's browser as a same-origin page: it sends
 * `Host: attacker.example`, and reaches what needs no session but trusts the network (login, /metrics on loopback,
 * /autodistribution's address allow-list); the Origin check compared with that same Host. So hookline answers
 * only to the names it is configured for (editor.hosts, editor.host, the host of recordings.publicBaseUrl: app/
 * passes them), `localhost`, and IP literals, which a rebinding page cannot send (its Host is always its name).
 * Other Hosts get 421 Misdirected Request. Behind a proxy named in editor.trustProxy, its X-Forwarded-Host is what
 * is checked (fastify's `request.host`). A route module's request that carries its own credential (a signed link,
 * a bearer token: `RouteModule.anyHost`) is answered whatever its Host: a rebinding page has no such credential,
 * and such a link may be fetched through a name hookline was not told (Kommo's proxy, a tunnel).
 */
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { problem } from './problem.ts';
import type { RouteModule } from './route-module.ts';

/** A host name as compared: lower case, without a trailing dot or IPv6 brackets. */
export function normalizeHostName(name: string): string {
  let h = name.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The host name of a Host header value (`name`, `name:port`, `[v6]:port`), normalized; '' when there is none. */
export function hostNameOf(host: string): string {
  const h = host.trim();
  if (h.startsWith('[')) return normalizeHostName(h.slice(0, h.indexOf(']') + 1));
  const colon = h.lastIndexOf(':');
  // A bare IPv6 address (no brackets) has several colons and no port.
  return normalizeHostName(colon > -1 && h.indexOf(':') === colon ? h.slice(0, colon) : h);
}

/** Whether a request naming `host` (a Host header value) is answered, given the configured names. */
export function createHostCheck(names: readonly string[]): (host: string) => boolean {
  const known = new Set(['localhost', ...names.map(normalizeHostName)]);
  return (host) => {
    const name = hostNameOf(host);
    return name !== '' && (known.has(name) || isIP(name) !== 0);
  };
}

export function addHostCheck(app: FastifyInstance, names: readonly string[], routes: readonly RouteModule[]): void {
  const allows = createHostCheck(names);
  const anyHost = (url: string, method: string) => routes.some((r) => r.anyHost?.(url, method) ?? false);
  app.addHook('onRequest', async (req, reply) => {
    if (allows(req.host)) return;
    if (anyHost(req.url, req.method)) return;
    const name = hostNameOf(req.host) || '(none)';
    return problem(
      reply, 421, 'HOST_NOT_ALLOWED',
      `requests for the host ${name} are refused: hookline answers only to the names in editor.hosts, its own editor.host and recordings.publicBaseUrl, loopback names and IP addresses`,
      `If hookline is reached under the name ${name}, add it to editor.hosts in the config and restart; behind a reverse proxy, name the proxy in editor.trustProxy so its X-Forwarded-Host is read. A browser page that sent this request may be a DNS-rebinding attack.`,
    );
  });
}
