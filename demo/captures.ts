/**
 * The demo's calls: the MIT-licensed cacofonisk captures shipped in demo/captures/ (see its README), each with
 * what its metadata says happened. Read from this folder only: at run time nothing reads ../shared or tests/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorCode } from '../contracts/index.ts';

export const DEMO_CAPTURES_DIR = join(import.meta.dirname, 'captures');

export interface DemoCapture {
  /** File name without `.ami`, e.g. `caco-inbound-queue-answered`. */
  name: string;
  /** The capture's AMI text (CRLF blocks). */
  text: string;
  /** The capture's linkedids, the call's own first (from the metadata). */
  linkedids: string[];
  /** What the metadata says happened to the first linkedid's call. */
  direction: 'inbound' | 'outbound' | 'internal';
  answered: boolean;
  /** One line for the log: from -> to. */
  summary: string;
}

export interface DemoProblem {
  code: Extract<ErrorCode, 'DEMO_CAPTURES_UNREADABLE'>;
  message: string;
  hint: string;
}

export type DemoResult<T> = { ok: true; value: T } | { ok: false; error: DemoProblem };

interface Metadata {
  linkedids?: unknown;
  what_happened?: { direction?: unknown; answered?: unknown; from?: unknown; to?: unknown };
}

/** Every `caco-*.ami` in `dir` with its `.json`, in name order. */
export function loadDemoCaptures(dir: string = DEMO_CAPTURES_DIR): DemoResult<DemoCapture[]> {
  const out: DemoCapture[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.startsWith('caco-') && f.endsWith('.ami')).sort();
  } catch (e) {
    return fail(`cannot list the demo captures in ${dir}: ${(e as Error).message}`);
  }
  if (names.length === 0) return fail(`no caco-*.ami capture in ${dir}`);
  for (const file of names) {
    const name = file.slice(0, -'.ami'.length);
    try {
      const text = readFileSync(join(dir, file), 'utf8');
      const meta = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Metadata;
      const w = meta.what_happened ?? {};
      const linkedids = Array.isArray(meta.linkedids) ? meta.linkedids.map(String) : [];
      const direction = w.direction === 'inbound' || w.direction === 'outbound' || w.direction === 'internal' ? w.direction : undefined;
      if (linkedids.length === 0 || direction === undefined || typeof w.answered !== 'boolean') {
        return fail(`${name}.json in ${dir} lacks linkedids, what_happened.direction or what_happened.answered`);
      }
      out.push({ name, text, linkedids, direction, answered: w.answered, summary: `${String(w.from ?? '?')} -> ${String(w.to ?? '?')}` });
    } catch (e) {
      return fail(`cannot read the demo capture ${name} in ${dir}: ${(e as Error).message}`);
    }
  }
  return { ok: true, value: out };
}

function fail(message: string): DemoResult<never> {
  return {
    ok: false,
    error: { code: 'DEMO_CAPTURES_UNREADABLE', message, hint: 'the demo captures ship with hookline in demo/captures/: restore them from git (git checkout demo/captures)' },
  };
}
