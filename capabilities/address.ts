/**
 * Where a fetch may connect: every address a name resolves to is checked (dns.lookup with `all`), and loopback,
 * private, link-local (so 169.254.169.254, the cloud metadata address), unique-local, carrier-grade NAT,
 * unspecified, broadcast, multicast and reserved addresses are refused, unless the grant names that address
 * literally (grants.ts). The connection is then made to an address that was checked (pinned through the
 * request's `lookup`), so a name cannot answer a public address to the check and loopback to the connection.
 */
import { lookup as dnsLookup } from 'node:dns';
import ipaddr from 'ipaddr.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (tests pass their own, so a name can resolve to loopback without DNS). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });

/** ipaddr.js ranges a script may reach without a grant by address. */
const PUBLIC = new Set(['unicast']);
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);

/** null when the address is public; else the range's name ("loopback", "private", "linkLocal", "metadata"…). */
export function refusedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an address';
  let a = ipaddr.parse(address);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  if (METADATA.has(a.toString())) return 'metadata';
  const range = a.range();
  return PUBLIC.has(range) ? null : range;
}

export const isAddress = (host: string) => ipaddr.isValid(host);
