/**
 * Accounts shaped like real ones where the emulator's named accounts are too tidy (issue 21).
 */
import { demoAccount, type KommoAccountSeed, type KommoCustomField } from '../../sim/kommo/index.ts';

/**
 * The demo account with `extra` text fields on contacts sorted before PHONE, so the PHONE field is past the first
 * page of `GET /api/v4/contacts/custom_fields` (50 a page: sim/kommo limits.ts CUSTOM_FIELDS_PAGE_LIMIT).
 */
export function accountWithManyContactFields(extra = 60): KommoAccountSeed {
  const a = demoAccount();
  const text = (i: number): KommoCustomField => ({
    id: 300_000 + i, name: `Field ${i}`, code: null, sort: i, type: 'text', entity_type: 'contacts', is_predefined: false, is_deletable: true,
    is_visible: true, is_api_only: false, group_id: null, required_statuses: [], remind: null, enums: null,
  });
  const fields = Array.from({ length: extra }, (_, i) => text(i));
  return { ...a, customFields: [...fields, ...a.customFields.map((f) => ({ ...f, sort: f.sort + extra }))] };
}
