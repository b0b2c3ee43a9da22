/**
 * Which addresses may ask GET /autodistribution: autodistribution.allowFrom, each an address or a CIDR block
 * (node:net BlockList). The route is public (Asterisk's CURL() has no session), so this list is its whole
 * authentication; an entry that is neither an address nor a block is reported and ignored, never widened.
 */
import { BlockList, isIP } from 'node:net';

export interface AllowList {
  allows(address: string | undefined): boolean;
  /** Entries that could not be read (for the log at start). */
  readonly ignored: string[];
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is 127.0.0.1. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

export function createAllowList(entries: readonly string[]): AllowList {
  const list = new BlockList();
  const ignored: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr);
    const prefix = bits === undefined ? null : Number(bits);
    if (family === 0 || (prefix !== null && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128)))) {
      ignored.push(raw);
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === null) list.addAddress(plainAddress(addr), type);
    else list.addSubnet(addr, prefix, type);
  }
  return {
    ignored,
    allows(address) {
      if (!address) return false;
      const a = plainAddress(address);
      const family = isIP(a);
      if (family === 0) return false;
      return list.check(a, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
