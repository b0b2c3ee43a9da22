/**
 * Kommo refuses `null` (400 NotNullable; the official SDK had to stop sending `call_result: null`,
 * amocrm-api-php #570), so nulls are taken out of every body before it is sent: a key whose value is null
 * is dropped, a null in an array is dropped. One null means something on updates: `values: null` in a
 * `custom_fields_values` item clears that field (amoCRM custom fields doc), and it is kept there.
 */
export interface Stripped<T> {
  value: T;
  /** JSON paths of the nulls taken out ('call_status', 'custom_fields_values.0.values.1'). */
  paths: string[];
}

function isClearingValues(path: string[], key: string): boolean {
  return key === 'values' && path.length === 2 && path[0] === 'custom_fields_values';
}

export function stripNulls<T>(input: T, options: { keepFieldClearing?: boolean } = {}): Stripped<T> {
  const paths: string[] = [];
  const walk = (v: unknown, path: string[]): unknown => {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      v.forEach((x, i) => {
        if (x === null) paths.push([...path, String(i)].join('.'));
        else out.push(walk(x, [...path, String(i)]));
      });
      return out;
    }
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === null) {
          if (options.keepFieldClearing && isClearingValues(path, k)) out[k] = null;
          else paths.push([...path, k].join('.'));
        } else if (x !== undefined) {
          out[k] = walk(x, [...path, k]);
        }
      }
      return out;
    }
    return v;
  };
  return { value: walk(input, []) as T, paths };
}
