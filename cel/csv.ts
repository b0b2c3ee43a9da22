/**
 * CEL in a CSV file (cel_custom: one line per event, each value quoted by CSV_QUOTE, `"` doubled). The file is
 * read whole at each call (cel_custom appends for ever: rotate it, docs/design/cel.md). A last line without its
 * newline is being written: it is left for the next read, not an error. A line that cannot be read (an unclosed
 * quote, a wrong number of fields) is skipped and named by its number.
 */
import { readFile } from 'node:fs/promises';
import { CSV_DEFAULT_COLUMNS, REQUIRED_COLUMNS } from './columns.ts';
import { byTime, rowProblem, type CelRow, type ReadRow } from './rows.ts';
import { celError, type CelResult, type CelSource, type EndedCall } from './source.ts';
import { instantOf } from './time.ts';

/** The fields of one CSV line, or why it cannot be read. */
export function parseCsvLine(line: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i += 1;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return 'a quoted value is not closed';
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(v);
      if (i === line.length) return out;
      if (line[i] !== ',') return `a character after a closing quote at column ${i + 1}`;
      i += 1;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

interface Parsed {
  rows: ReadRow[];
  problems: string[];
}

export function csvSource(path: string, tz: string, columns: readonly string[] = CSV_DEFAULT_COLUMNS): CelSource {
  const where = `CSV file ${path}`;

  async function readAll(): Promise<CelResult<Parsed>> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      return celError('CEL_UNREACHABLE', `cannot read the ${where}: ${(e as Error).message}`);
    }
    const lines = text.split('\n');
    // the last piece has no newline yet: still being written
    lines.pop();
    const rows: ReadRow[] = [];
    const problems: string[] = [];
    for (let n = 0; n < lines.length; n++) {
      const line = (lines[n] as string).replace(/\r$/, '');
      if (!line) continue;
      const fields = parseCsvLine(line);
      if (typeof fields === 'string') {
        problems.push(`line ${n + 1} of ${path}: ${fields}; skipped`);
        continue;
      }
      if (fields.length !== columns.length) {
        problems.push(`line ${n + 1} of ${path}: ${fields.length} values where cel.columns names ${columns.length}; skipped`);
        continue;
      }
      const row: CelRow = {};
      columns.forEach((c, k) => {
        row[c] = fields[k] as string;
      });
      const why = rowProblem(row, tz);
      if (why) {
        problems.push(`line ${n + 1} of ${path} (linkedid ${row.linkedid || '?'}): ${why}; skipped`);
        continue;
      }
      rows.push({ row, at: instantOf(row.eventtime as string, tz), seq: n + 1 });
    }
    return { ok: true, value: { rows: rows.sort(byTime), problems } };
  }

  return {
    where,
    async check() {
      const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
      if (missing.length) return celError('CEL_BAD_COLUMN', `cel.columns lacks ${missing.join(', ')}, which hookline needs (${where})`);
      const r = await readAll();
      if (!r.ok) return r;
      const bad = r.value.problems.length;
      if (bad && r.value.rows.length === 0) return celError('CEL_BAD_COLUMN', `no line of the ${where} can be read with cel.columns (${columns.length} columns): ${r.value.problems[0]}`);
      return { ok: true, value: { where, columns: [...columns], missingOptional: [] } };
    },
    async endedIn(from, to) {
      const r = await readAll();
      if (!r.ok) return r;
      const calls: EndedCall[] = [];
      const seen = new Set<string>();
      for (const x of r.value.rows) {
        const id = x.row.linkedid as string;
        if (x.row.eventtype !== 'LINKEDID_END' || x.at < from || x.at >= to || seen.has(id)) continue;
        seen.add(id);
        calls.push({ linkedid: id, at: x.at });
      }
      return { ok: true, value: { calls, problems: r.value.problems } };
    },
    async rowsOf(linkedids) {
      const r = await readAll();
      if (!r.ok) return r;
      const want = new Set(linkedids);
      return { ok: true, value: { rows: r.value.rows.filter((x) => want.has(x.row.linkedid as string)), problems: [] } };
    },
    async close() {},
  };
}
