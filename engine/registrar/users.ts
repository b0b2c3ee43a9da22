/**
 * Extensions ↔ Kommo users: the configuration's `users` map (extension → Kommo user id), checked against
 * the account's users list (names for call_full, and ids Kommo will accept). The fallback user for work no
 * extension maps to: `registration.defaultUserId`, else the account's first administrator, else its first user.
 */
import type { KommoUser } from '../kommo/index.ts';

export interface UserDirectory {
  byExtension(ext: string | null | undefined): { id: number; name: string; extension: string } | null;
  fallback(): number;
  has(id: number): boolean;
  name(id: number): string;
}

export function createUserDirectory(map: Record<string, number>, users: KommoUser[], defaultUserId?: number): UserDirectory {
  const byId = new Map(users.map((u) => [u.id, u]));
  const admin = users.find((u) => (u.rights as { is_admin?: boolean } | undefined)?.is_admin) ?? users[0];
  const fallback = defaultUserId ?? admin?.id ?? 0;
  return {
    byExtension(ext) {
      if (!ext) return null;
      const id = map[ext];
      if (id === undefined) return null;
      return { id, name: byId.get(id)?.name ?? `user ${id}`, extension: ext };
    },
    fallback: () => fallback,
    has: (id) => byId.size === 0 || byId.has(id),
    name: (id) => byId.get(id)?.name ?? `user ${id}`,
  };
}
