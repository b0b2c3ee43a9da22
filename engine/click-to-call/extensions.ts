/**
 * Kommo user ↔ extension, from the two config maps that hold it: `clickToCall.users` (Kommo user id →
 * extension) wins, then `users` (extension → Kommo user id) read backwards. Used by click-to-call (whose phone
 * rings first) and autodistribution (which extension the responsible manager answers on).
 */
export interface ExtensionMapOptions {
  /** config.users: extension → Kommo user id. */
  users?: Record<string, number>;
  /** config.clickToCall.users: Kommo user id → extension (takes precedence). */
  userExtensions?: Record<string, string>;
}

export interface ExtensionMap {
  /** The user's extension, or null when neither map names one. */
  extensionOf(userId: number): string | null;
}

export function createExtensionMap(o: ExtensionMapOptions): ExtensionMap {
  const byUser = new Map<number, string>();
  // Integer-like keys iterate in ascending order, so a user with several extensions gets the lowest: stable
  // whatever order the config file lists them in.
  for (const [ext, id] of Object.entries(o.users ?? {})) if (!byUser.has(id)) byUser.set(id, ext);
  for (const [id, ext] of Object.entries(o.userExtensions ?? {})) byUser.set(Number(id), ext);
  return { extensionOf: (userId) => byUser.get(userId) ?? null };
}
