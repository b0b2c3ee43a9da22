/**
 * Issue 20: the memory of the local index of the account's phones (engine/phone-index) for an account of 100,000
 * contacts (target: at most 20 MB of heap), and how long a lookup takes. The entries are those a full read from
 * Kommo would give: a name like Kommo's ("Contact +31 20 1234567"-sized), a responsible user, one phone each (a
 * tenth have two). Baseline: the same contacts as the plain objects a page of Kommo's answer holds (id, name,
 * responsible_user_id, the PHONE field), which is what keeping the pages would cost.
 */
import { createTable } from '../../engine/phone-index/index.ts';
import { keysOfPhones } from '../../engine/phone-index/index.ts';
import type { BenchFigure, BenchSuite } from '../suite.ts';

const CONTACTS = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};
const phone = (i: number) => `+3120${String(1_000_000 + i)}`;
const name = (i: number) => `Client ${i} ${['Visser', 'de Jong', 'Jansen', 'Bakker'][i % 4]}`;

/** A contact as a read from Kommo gives it: parsed from JSON (flat strings, as JSON.parse makes them). */
function kommoShaped(i: number) {
  return JSON.parse(JSON.stringify(shape(i))) as ReturnType<typeof shape>;
}

function shape(i: number) {
  return {
    id: 1_000_001 + i, name: name(i), responsible_user_id: 5_001_001 + (i % 7),
    custom_fields_values: [{ field_id: 264_001, field_code: 'PHONE', values: [{ value: phone(i), enum_code: 'WORK' }, ...(i % 10 === 0 ? [{ value: phone(i + CONTACTS), enum_code: 'MOB' }] : [])] }],
  };
}

export const suite: BenchSuite = {
  name: 'phone-index',
  about: `memory of the local index of the account's phones for ${CONTACTS.toLocaleString('en')} contacts, and a lookup (issue 20)`,
  async run(): Promise<BenchFigure[]> {
    // Names and numbers are made fresh for each structure (as a read from Kommo gives them): nothing is shared.
    const base0 = heap();
    const pages = Array.from({ length: CONTACTS }, (_, i) => kommoShaped(i));
    const pagesBytes = heap() - base0;
    pages.length = 0;

    const before = heap();
    const table = createTable();
    for (let i = 0; i < CONTACTS; i += 1) {
      const c = kommoShaped(i);
      table.put('contacts', c.id, c.name, c.responsible_user_id, keysOfPhones(c.custom_fields_values[0]!.values.map((v) => v.value)));
    }
    const indexBytes = heap() - before;
    if (table.size('contacts') !== CONTACTS) throw new Error(`the index holds ${table.size('contacts')} contacts, not ${CONTACTS}`);

    const lookups = 200_000;
    const t0 = performance.now();
    let found = 0;
    for (let i = 0; i < lookups; i += 1) found += table.lookup('contacts', phone((i * 7919) % CONTACTS).slice(-10)).length;
    const lookupUs = ((performance.now() - t0) * 1000) / lookups;
    if (found !== lookups) throw new Error(`${found} of ${lookups} lookups found their contact`);
    const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
    const rough = gc ? '' : ' (no --expose-gc: rough)';
    return [
      {
        key: 'phoneIndex.heapMb', label: `heap of the phone index, ${CONTACTS.toLocaleString('en')} contacts${rough}`, value: mb(indexBytes), unit: 'MB',
        baseline: { label: 'the same contacts as Kommo\'s page objects', value: mb(pagesBytes) },
        target: { text: 'at most 20 MB', met: mb(indexBytes) <= 20 },
      },
      { key: 'phoneIndex.lookupUs', label: 'one lookup by number (a hit)', value: Math.round(lookupUs * 100) / 100, unit: 'µs' },
    ];
  },
};
