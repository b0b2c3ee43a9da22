/**
 * The key a client's failed attempts are counted under (failed logins, wrong click-to-call tokens). An IPv4
 * client is its address (also when it reaches a dual-stack socket as `::ffff:a.b.c.d`). An IPv6 client is its
 * /64: one host usually holds a whole /64 and can pick any address in it, so counting per address would let it
 * start afresh at every attempt. Parsed with ipaddr.js, the parser fastify's proxy-addr already uses.
 */
import ipaddr from 'ipaddr.js';

export function clientKey(address: string | undefined): string {
  if (!address) return '(no address)';
  if (!ipaddr.isValid(address)) return address;
  const a = ipaddr.parse(address);
  if (a.kind() === 'ipv4') return a.toString();
  const v6 = a as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const parts = v6.parts.slice(0, 4).map((p) => p.toString(16));
  return `${ipaddr.IPv6.parse(`${parts.join(':')}::`).toString()}/64`;
}
