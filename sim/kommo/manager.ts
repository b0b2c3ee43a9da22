/**
 * What a manager does to the account in Kommo's own interface while hookline runs: edit a contact or company
 * (its name, its phones), delete one, merge several into one. Tests use it (KommoSim `editEntity`,
 * `deleteEntity`, `mergeEntities`, and the same under /__sim) to check that hookline's copy of the account's phones
 * follows. Each change moves the entity's `updated_at` (so `filter[updated_at]` lists it) and a deletion or a
 * merge is recorded in the events list (`contact_deleted` / `company_deleted`, `entity_merged`), the only place a
 * deleted entity still shows: it is gone from the lists and answers 204 by id.
 */
import type { KommoStore } from './store.ts';
import type { ContactSeed, KommoCompany, KommoContact } from './types.ts';

export type HolderKind = 'contacts' | 'companies';

export interface EntityEdit {
  name?: string;
  /** Replaces the entity's phones (`[]` removes them). */
  phones?: ContactSeed['phones'];
}

const single = { contacts: 'contact', companies: 'company' } as const;

function holder(store: KommoStore, kind: HolderKind, id: number): KommoContact | KommoCompany | null {
  const e = kind === 'contacts' ? store.contacts.get(id) : store.companies.get(id);
  return e && !e.is_deleted ? e : null;
}

/** Edits a live entity; false when there is none with that id. */
export function editEntity(store: KommoStore, kind: HolderKind, id: number, edit: EntityEdit): boolean {
  const e = holder(store, kind, id);
  if (!e) return false;
  if (edit.name !== undefined) e.name = edit.name;
  if (edit.phones !== undefined) {
    const others = (e.custom_fields_values ?? []).filter((f) => f.field_code !== 'PHONE');
    const phones = store.phoneValues(kind, edit.phones) ?? [];
    const all = [...others, ...phones];
    e.custom_fields_values = all.length > 0 ? all : null;
  }
  e.updated_at = store.now();
  e.updated_by = store.currentUserId;
  return true;
}

/** Deletes a live entity (to Kommo's trash: absent from lists and calls); false when there is none. */
export function deleteEntity(store: KommoStore, kind: HolderKind, id: number): boolean {
  const e = holder(store, kind, id);
  if (!e) return false;
  e.is_deleted = true;
  e.updated_at = store.now();
  store.addEvent({ type: `${single[kind]}_deleted`, entity_id: id, entity_type: single[kind], value_after: [], value_before: [] });
  return true;
}

/**
 * Merges `others` into `keep`: the kept entity gains their phones (the values it lacks), the others are deleted.
 * The events list gets an `entity_merged` on the kept entity and a deletion for each other one. False when any id
 * is not a live entity of that kind.
 */
export function mergeEntities(store: KommoStore, kind: HolderKind, keep: number, others: number[]): boolean {
  const kept = holder(store, kind, keep);
  const gone = others.map((id) => holder(store, kind, id));
  if (!kept || gone.some((x) => x === null) || others.includes(keep)) return false;
  const phoneField = kept.custom_fields_values?.find((f) => f.field_code === 'PHONE');
  for (const g of gone) {
    for (const f of g?.custom_fields_values ?? []) {
      if (f.field_code !== 'PHONE') continue;
      if (phoneField) {
        for (const v of f.values) if (!phoneField.values.some((x) => x.value === v.value)) phoneField.values.push({ ...v });
      } else {
        kept.custom_fields_values = [...(kept.custom_fields_values ?? []), structuredClone(f)];
      }
    }
  }
  kept.updated_at = store.now();
  kept.updated_by = store.currentUserId;
  store.addEvent({ type: 'entity_merged', entity_id: keep, entity_type: single[kind], value_after: [{ merged: { ids: [...others] } }], value_before: [] });
  for (const id of others) deleteEntity(store, kind, id);
  return true;
}
