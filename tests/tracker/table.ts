/**
 * Narrow event tables (STYLE habit 6): a header row of AMI keys and one row per event, cells split by `|`.
 * An empty cell leaves the key out. `events(n)` checks the table has exactly n rows, so a lost row fails.
 */
import type { AmiMessage } from '../../ami-wire/index.ts';

export function events(expectedRows: number) {
  return (strings: TemplateStringsArray, ...values: unknown[]): AmiMessage[] => {
    const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const [head, ...rows] = lines;
    if (!head) throw new Error('event table without a header row');
    const keys = head.split('|').map((k) => k.trim());
    if (rows.length !== expectedRows) throw new Error(`event table has ${rows.length} rows, expected ${expectedRows}`);
    return rows.map((row, r) => {
      const cells = row.split('|').map((c) => c.trim());
      if (cells.length !== keys.length) throw new Error(`row ${r + 1} has ${cells.length} cells for ${keys.length} keys: ${row}`);
      const msg: AmiMessage = {};
      keys.forEach((k, i) => {
        const v = cells[i] ?? '';
        if (v !== '') msg[k] = v;
      });
      return msg;
    });
  };
}
