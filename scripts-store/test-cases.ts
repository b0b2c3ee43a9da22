/**
 * Each hook's test cases (issue 17, item 3), kept in scripts.json with the hook's drafts and versions: an input
 * and the output expected for it. Like every change of scripts.json, a change is on disk before it is visible.
 * The store does not run them (editor/ does, on replay and on publish).
 */
import { randomUUID } from 'node:crypto';
import type { HookName } from '../contracts/index.ts';
import type { DataFile } from './data-file.ts';
import type { HookScripts, ScriptsFile, TestCase } from './schema.ts';

/** A case as the caller gives it: the store stamps id (unless given: an import keeps its ids), time and author. */
export type TestCaseInput = Omit<TestCase, 'id' | 'createdAt'> & { id?: string; createdAt?: string };

/** The most cases one hook keeps: each runs at every replay and every publish. */
export const MAX_TEST_CASES = 500;

const NO_SCRIPTS: HookScripts = { draft: null, published: null, versions: [] };

export function createTestCases(file: DataFile<ScriptsFile>, now: () => Date) {
  const of = (hook: HookName): TestCase[] => file.data.hooks[hook]?.tests ?? [];
  async function change(hook: HookName, f: (cases: TestCase[]) => TestCase[]): Promise<void> {
    await file.update((data) => {
      const h = data.hooks[hook] ?? NO_SCRIPTS;
      return { ...data, hooks: { ...data.hooks, [hook]: { ...h, tests: f(h.tests ?? []) } } };
    });
  }
  const stamp = (c: TestCaseInput): TestCase => ({ ...c, id: c.id ?? randomUUID(), createdAt: c.createdAt ?? now().toISOString() });

  return {
    /** Oldest first. */
    testCases: (hook: HookName): TestCase[] => [...of(hook)],
    /**
     * Adds cases, or replaces those with the same id (an import of an export); answers the cases as stored.
     * Refused (RangeError) past MAX_TEST_CASES, before anything is written.
     */
    async saveTestCases(hook: HookName, input: TestCaseInput[]): Promise<TestCase[]> {
      const added = input.map(stamp);
      const ids = new Set(added.map((c) => c.id));
      const kept = of(hook).filter((c) => !ids.has(c.id));
      if (kept.length + added.length > MAX_TEST_CASES) {
        throw new RangeError(`${hook} would have ${kept.length + added.length} test cases; at most ${MAX_TEST_CASES} are kept (each runs at every replay and publish): delete some first`);
      }
      await change(hook, (cases) => [...cases.filter((c) => !ids.has(c.id)), ...added]);
      return added;
    },
    /** Changes a case's name or expected output; null when there is no such case. */
    async updateTestCase(hook: HookName, id: string, patch: Partial<Pick<TestCase, 'name' | 'expected'>>): Promise<TestCase | null> {
      const old = of(hook).find((c) => c.id === id);
      if (!old) return null;
      const next: TestCase = { ...old, ...(patch.name !== undefined ? { name: patch.name } : {}), ...('expected' in patch ? { expected: patch.expected } : {}) };
      await change(hook, (cases) => cases.map((c) => (c.id === id ? next : c)));
      return next;
    },
    /** false when there is no such case. */
    async deleteTestCase(hook: HookName, id: string): Promise<boolean> {
      if (!of(hook).some((c) => c.id === id)) return false;
      await change(hook, (cases) => cases.filter((c) => c.id !== id));
      return true;
    },
  };
}
