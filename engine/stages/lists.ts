/**
 * The built-in black/white lists of extensions and trunks, applied at every stage before need_registration
 * (as the modelled product does from 2.15.0 on): a call touching a blacklisted extension or trunk is not
 * registered; with a whitelist, only calls touching one of its entries are.
 */
import type { CallFull, Channel } from '../../contracts/index.ts';

export interface ListConfig {
  blacklist: string[];
  whitelist: string[];
}

export interface FilterConfig {
  extensions?: ListConfig;
  trunks?: ListConfig;
}

export type ListVerdict = { allow: true } | { allow: false; reason: string };

function channels(call: CallFull): Channel[] {
  return [call.channel, ...Object.values(call.conversations).map((c) => c.channel)];
}

/** Internal numbers that took part in the call. */
export function extensionsOf(call: CallFull): Set<string> {
  const out = new Set<string>();
  for (const ch of channels(call)) {
    for (const p of [ch.from, ch.to]) if (p.is_internal && p.number) out.add(p.number);
  }
  for (const c of Object.values(call.conversations)) if (c.user?.extension) out.add(c.user.extension);
  return out;
}

/** Trunks the call used, by endpoint name and by number (DID or trunk CallerID). */
export function trunksOf(call: CallFull): Set<string> {
  const out = new Set<string>();
  for (const ch of channels(call)) {
    if (ch.trunk) {
      if (ch.trunk.name) out.add(ch.trunk.name);
      if (ch.trunk.number) out.add(ch.trunk.number);
    }
  }
  return out;
}

function check(kind: string, present: Set<string>, list: ListConfig | undefined): ListVerdict {
  if (!list) return { allow: true };
  const black = list.blacklist.find((x) => present.has(x));
  if (black !== undefined) return { allow: false, reason: `${kind} ${black} is in the blacklist` };
  if (list.whitelist.length > 0 && !list.whitelist.some((x) => present.has(x))) {
    return { allow: false, reason: `no ${kind} of the call (${[...present].join(', ') || 'none'}) is in the whitelist` };
  }
  return { allow: true };
}

export function applyLists(call: CallFull, filters: FilterConfig): ListVerdict {
  const ext = check('extension', extensionsOf(call), filters.extensions);
  if (!ext.allow) return ext;
  return check('trunk', trunksOf(call), filters.trunks);
}
