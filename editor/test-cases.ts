/**
 * A hook's test cases run against a script (the draft on replay, the draft about to go live on publish): each
 * case's input with its pinned time and seed; it passes when the script succeeds and its data equals the
 * expected output as canonical JSON. A failing case carries a unified diff, expected → actual.
 */
import { createTwoFilesPatch } from 'diff';
import { canonicalJson, type HookLimits, type HookName, type HooklineError } from '../contracts/index.ts';
import { compile, type HookScript, type Runner } from '../sandbox/index.ts';
import type { TestCase } from '../scripts-store/index.ts';

export interface TestCaseResult {
  id: string;
  name: string;
  pass: boolean;
  expected: unknown;
  /** The script's data; on a failure, the hook's default (the error says why). */
  actual: unknown;
  error: { code: string; message: string; hint: string } | null;
  /** Expected → actual (or the error), unified; "" when it passes. */
  diff: string;
  durationMs: number;
}

export interface TestCaseReport {
  summary: { total: number; passed: number; failed: number };
  results: TestCaseResult[];
}

export type TestRunOutcome = { ok: true; report: TestCaseReport } | { ok: false; error: HooklineError };

/** Cases in flight at once (as replay's window: the child answers one at a time, the IPC round trip is hidden). */
const WINDOW = 16;

const text = (v: unknown) => `${canonicalJson(v, 2)}\n`;

export async function runTestCases(o: { runner: Runner; hook: HookName; source: string; cases: TestCase[]; limits?: Partial<HookLimits> }): Promise<TestRunOutcome> {
  if (!o.cases.length) return { ok: true, report: { summary: { total: 0, passed: 0, failed: 0 }, results: [] } };
  const c = await compile(o.source, { hook: o.hook, version: 'draft' });
  if (!c.ok) return { ok: false, error: c.error };
  const script: HookScript = { version: 'draft', compiled: c.compiled };
  await o.runner.warm(o.hook, script).catch(() => {}); // a failure shows on the runs
  const results: TestCaseResult[] = new Array(o.cases.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(WINDOW, o.cases.length) }, async () => {
    while (next < o.cases.length) {
      const i = next++;
      const t = o.cases[i] as TestCase;
      const r = await o.runner.invoke(o.hook, script, t.input, { now: t.now, seed: t.seed, ...(o.limits ? { limits: o.limits } : {}) });
      const error = r.error && r.error.code !== 'NO_SCRIPT' ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : null;
      const expected = text(t.expected);
      const actual = error ? text({ error: { code: error.code, message: error.message } }) : text(r.data);
      const pass = !error && expected === actual;
      results[i] = {
        id: t.id, name: t.name, pass, expected: t.expected, actual: r.data, error,
        diff: pass ? '' : createTwoFilesPatch('expected', error ? 'draft (failed)' : 'draft', expected, actual),
        durationMs: r.durationMs,
      };
    }
  }));
  const passed = results.filter((r) => r.pass).length;
  return { ok: true, report: { summary: { total: results.length, passed, failed: results.length - passed }, results } };
}
