/**
 * Custom field values: checked and turned from the write shape (`field_id` or `field_code`, `enum_code` or
 * `enum_id`) into the read shape (`field_id`, `field_name`, `field_code`, `field_type`, values with `enum_id`
 * and `enum`). https://developers.kommo.com/reference/custom-fields ("you must pass either field_id or field_code")
 */
import type { FieldError } from './problems.ts';
import type { KommoCustomField, StoredFieldValues } from './types.ts';
import { field, isObject, type JsonObject } from './validate.ts';

function resolveField(errors: FieldError[], entry: JsonObject, fields: KommoCustomField[], path: string): KommoCustomField | undefined {
  if ('field_id' in entry) {
    const id = field(errors, entry, 'field_id', 'int', `${path}.field_id`);
    if (id === undefined) return undefined;
    const f = fields.find((x) => x.id === id);
    if (!f) errors.push({ code: 'NotSupportedChoice', path: `${path}.field_id`, detail: 'The value you selected is not a valid choice.' });
    return f;
  }
  if ('field_code' in entry) {
    const code = field(errors, entry, 'field_code', 'string', `${path}.field_code`);
    if (code === undefined) return undefined;
    const f = fields.find((x) => x.code === code);
    if (!f) errors.push({ code: 'NotSupportedChoice', path: `${path}.field_code`, detail: 'The value you selected is not a valid choice.' });
    return f;
  }
  errors.push({ code: 'NotBlank', path: `${path}.field_id`, detail: 'This value should not be blank.' });
  return undefined;
}

function checkValue(errors: FieldError[], v: unknown, f: KommoCustomField, path: string): void {
  if (!isObject(v)) {
    errors.push({ code: v === null ? 'NotNullable' : 'InvalidType', path, detail: v === null ? 'This value should not be null.' : 'This value should be of type array.' });
    return;
  }
  const value = field(errors, v, 'value', f.type === 'checkbox' ? 'bool' : 'string|int', `${path}.value`, { required: true });
  if (typeof value === 'string' && value.trim() === '' && f.type === 'multitext') {
    errors.push({ code: 'NotBlank', path: `${path}.value`, detail: 'This value should not be blank.' });
  }
  const enums = f.enums ?? [];
  if ('enum_code' in v) field(errors, v, 'enum_code', 'string', `${path}.enum_code`, { choices: enums.map((e) => e.value) });
  if ('enum_id' in v) field(errors, v, 'enum_id', 'int', `${path}.enum_id`, { choices: enums.map((e) => e.id) });
}

/**
 * Checks `item.custom_fields_values`. `values: null` clears a field on update; on create it is refused.
 */
export function checkFieldValues(errors: FieldError[], item: JsonObject, fields: KommoCustomField[], onUpdate: boolean): void {
  const list = field(errors, item, 'custom_fields_values', 'array', 'custom_fields_values');
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    const path = `custom_fields_values.${i}`;
    if (!isObject(entry)) {
      errors.push({ code: 'InvalidType', path, detail: 'This value should be of type array.' });
      return;
    }
    const f = resolveField(errors, entry, fields, path);
    if (entry.values === null && onUpdate) return;
    const values = field(errors, entry, 'values', 'array', `${path}.values`, { required: true });
    if (!f || !Array.isArray(values)) return;
    values.forEach((v, j) => checkValue(errors, v, f, `${path}.values.${j}`));
  });
}

function storedEntry(entry: JsonObject, f: KommoCustomField): StoredFieldValues {
  const enums = f.enums ?? [];
  const values = (entry.values as JsonObject[]).map((v) => {
    const out: StoredFieldValues['values'][number] = { value: typeof v.value === 'number' ? String(v.value) : (v.value as string | boolean) };
    if (enums.length > 0) {
      // Kommo files a phone without an enum under the field's first enum (WORK).
      const e = enums.find((x) => x.value === v.enum_code) ?? enums.find((x) => x.id === v.enum_id) ?? enums[0];
      if (e) { out.enum_id = e.id; out.enum = e.value; }
    }
    return out;
  });
  return { field_id: f.id, field_name: f.name, field_code: f.code, field_type: f.type, values };
}

function fieldOf(entry: JsonObject, fields: KommoCustomField[]): KommoCustomField | undefined {
  return 'field_id' in entry ? fields.find((x) => x.id === entry.field_id) : fields.find((x) => x.code === entry.field_code);
}

/**
 * The stored values after a write: a field sent replaces that field's values; `values: null` removes the
 * field; fields not sent are kept. An empty result is `null`, as Kommo returns it.
 */
export function applyFieldValues(existing: StoredFieldValues[] | null, input: unknown, fields: KommoCustomField[]): StoredFieldValues[] | null {
  if (!Array.isArray(input)) return existing;
  const next = new Map<number, StoredFieldValues>((existing ?? []).map((e) => [e.field_id, e]));
  for (const entry of input as JsonObject[]) {
    const f = fieldOf(entry, fields);
    if (!f) continue;
    if (entry.values === null || (Array.isArray(entry.values) && entry.values.length === 0)) next.delete(f.id);
    else next.set(f.id, storedEntry(entry, f));
  }
  const out = [...next.values()];
  return out.length > 0 ? out : null;
}

/** Every value of the contact's fields with code `PHONE`. */
export function phonesOf(values: StoredFieldValues[] | null): string[] {
  return (values ?? []).filter((v) => v.field_code === 'PHONE').flatMap((v) => v.values.map((x) => String(x.value)));
}
