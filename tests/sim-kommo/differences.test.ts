import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIFFERENCES } from '../../sim/kommo/index.ts';

describe('sim/kommo known differences', () => {
  it('lists every entry of DIFFERENCES, and only those, in docs/design/sim-kommo.md', () => {
    const doc = readFileSync(new URL('../../docs/design/sim-kommo.md', import.meta.url), 'utf8');
    const start = doc.indexOf('## Known differences from real Kommo');
    const end = doc.indexOf('\n## ', start + 1);
    const section = doc.slice(start, end === -1 ? undefined : end);
    const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| what |'));
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    const expected = DIFFERENCES.map((d) => `| ${esc(d.what)} | ${esc(d.reason)} |`);
    expect(rows, 'regenerate the table in docs/design/sim-kommo.md from sim/kommo/differences.ts').toEqual(expected);
  });

  it('gives every difference a reason', () => {
    expect(DIFFERENCES.filter((d) => d.reason.trim().length < 10)).toEqual([]);
  });
});
