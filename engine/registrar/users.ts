/**
 * Extensions ↔ Kommo users: the configuration's `users` map (extension → Kommo user id), checked against
 * the account's users list (names for call_full, and ids Kommo will accept). The fallback user for work no
 * extension maps to: `registration.defaultUserId`, else the account's first administrator, else its first user.
 */
import type { KommoUser } from '../kommo/index.ts';

export interface UserDirectory {
  byExtension(ext: string | null | undefined): { id: number; name: string; extension: string } | null;
  fallback(): number;
  /** `registration.defaultUserId` when the account has that user, else null. */
  configuredDefault(): number | null;
  has(id: number): boolean;
  name(id: number): string;
  /** What the configuration names that the account does not have (found once, at start), each with what is done instead. */
  problems: UserProblem[];
}

export interface UserProblem {
  /** The configuration path: `users.201` or `registration.defaultUserId`. */
  path: string;
  userId: number;
  /** What hookline does instead, for the message. */
  instead: string;
}

/**
 * An id the account does not have would make Kommo refuse every write that names it (400 per call): such an
 * id is reported once at start and left out, so its calls go to the fallback user instead. With an empty
 * users list (the account's list could not be read) every configured id is taken as it is.
 */
export function createUserDirectory(map: Record<string, number>, users: KommoUser[], defaultUserId?: number): UserDirectory {
  const byId = new Map(users.map((u) => [u.id, u]));
  const known = (id: number) => byId.size === 0 || byId.has(id);
  const admin = users.find((u) => (u.rights as { is_admin?: boolean } | undefined)?.is_admin) ?? users[0];
  const problems: UserProblem[] = [];
  const defaultKnown = defaultUserId !== undefined && known(defaultUserId) ? defaultUserId : null;
  const fallback = defaultKnown ?? admin?.id ?? 0;
  if (defaultUserId !== undefined && defaultKnown === null) {
    problems.push({ path: 'registration.defaultUserId', userId: defaultUserId, instead: `user ${fallback} (${byId.get(fallback)?.name ?? 'the first administrator'}) takes its place` });
  }
  const usable = new Map<string, number>();
  for (const [ext, id] of Object.entries(map)) {
    if (known(id)) usable.set(ext, id);
    else problems.push({ path: `users.${ext}`, userId: id, instead: `calls of extension ${ext} go to user ${fallback}` });
  }
  return {
    byExtension(ext) {
      if (!ext) return null;
      const id = usable.get(ext);
      if (id === undefined) return null;
      return { id, name: byId.get(id)?.name ?? `user ${id}`, extension: ext };
    },
    fallback: () => fallback,
    configuredDefault: () => defaultKnown,
    has: known,
    name: (id) => byId.get(id)?.name ?? `user ${id}`,
    problems,
  };
}
