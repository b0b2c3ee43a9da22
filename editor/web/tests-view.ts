/**
 * Tests (issue 17, item 3): the open hook's test cases, each with its input and expected output (editable as
 * JSON), its result against the editor's current text (pass, or fail with the diff expected → draft), run here
 * ("Run tests") and on every replay; export the hook (source and cases) to a file, import one.
 */
import { api, describe, type TestCase, type TestCaseResult, type TestReport } from './api.ts';
import { clear, h } from './dom.ts';

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** A unified diff with its added and removed lines marked (CSS colours them). */
export function diffBlock(diff: string): HTMLElement {
  return h('pre.unified-diff', { 'data-testid': 'test-diff' }, diff.split('\n').filter((l) => !/^(=+|Index:)/.test(l)).map((l) =>
    h(`span.${l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : 'ctx'}`, {}, `${l}\n`)));
}

export function createTestsView(root: HTMLElement, draftSource: () => string, imported: () => void) {
  let hook: string | null = null;
  let cases: TestCase[] = [];
  let results = new Map<string, TestCaseResult>();
  let seq = 0;
  const run = h('button#tests-run.primary', { 'data-testid': 'tests-run' }, 'Run tests');
  const summary = h('span#tests-summary', { 'data-testid': 'tests-summary', role: 'status' });
  const exportLink = h('a#tests-export', { 'data-testid': 'tests-export', href: '#', title: 'The hook\'s source and its test cases, as a file another hookline can import' }, 'Export');
  const importInput = h('input#tests-import', { type: 'file', accept: '.json,application/json', 'data-testid': 'tests-import', title: 'Import an export: its source becomes the draft, its cases are added' });
  const note = h('span#tests-note', { 'data-testid': 'tests-note', role: 'status' });
  const list = h('div#tests-list', { 'data-testid': 'tests-list' });
  root.append(h('div.toolbar', {}, run, summary, h('span.spacer'), exportLink, h('label', {}, 'Import ', importInput), note), list);

  function row(t: TestCase): HTMLElement {
    const r = results.get(t.id);
    const verdict = r ? (r.pass ? 'pass' : 'fail') : 'not run';
    const expected = h('textarea.case-expected', { rows: 6, cols: 60, spellcheck: false, 'data-testid': 'test-expected-edit' });
    expected.value = json(t.expected);
    const saveExpected = h('button', { 'data-testid': 'test-save-expected' }, 'Save expected output');
    const rowNote = h('span.muted', { role: 'status' });
    saveExpected.addEventListener('click', async () => {
      let value: unknown;
      try {
        value = JSON.parse(expected.value);
      } catch (e) {
        rowNote.textContent = `Not JSON: ${(e as Error).message}`;
        return;
      }
      const u = await api<{ test: TestCase }>('PUT', `/api/hooks/${hook}/tests/${t.id}`, { expected: value });
      rowNote.textContent = u.ok ? 'Saved' : `Not saved: ${describe(u.error)}`;
      if (u.ok) cases = cases.map((c) => (c.id === t.id ? u.body.test : c));
    });
    const del = h('button', { 'data-testid': 'test-delete' }, 'Delete');
    del.addEventListener('click', async () => {
      const d = await api('DELETE', `/api/hooks/${hook}/tests/${t.id}`, {});
      if (!d.ok) {
        rowNote.textContent = describe(d.error);
        return;
      }
      cases = cases.filter((c) => c.id !== t.id);
      render();
    });
    return h('div.test-case', { 'data-testid': 'test-case', 'data-id': t.id, 'data-verdict': verdict },
      h('div.failure-head', {}, h(`span.test-verdict.${verdict.replace(' ', '-')}`, { 'data-testid': 'test-verdict' }, verdict), ' ', h('strong', { 'data-testid': 'test-name' }, t.name),
        h('span.muted', {}, ` · from ${t.from?.kind ?? 'manual'}${t.from?.linkedid ? ` (call ${t.from.linkedid})` : ''} · ${t.author}`), ' ', del, rowNote),
      r && !r.pass ? h('div', {}, r.error ? h('div.error', {}, `The draft fails: ${describe(r.error)}`) : null, diffBlock(r.diff)) : null,
      h('details', {}, h('summary', {}, 'Input and expected output'),
        h('div.case-io', {}, h('div', {}, h('div.muted', {}, 'Input'), h('pre', { 'data-testid': 'test-input' }, json(t.input))), h('div', {}, h('div.muted', {}, 'Expected output'), expected, h('div', {}, saveExpected)))));
  }

  function render(): void {
    clear(list, cases.length ? cases.map(row) : h('p.muted', {}, 'No test cases yet: save one from a replay row ("Save as test case"), a failure, or a run of an input you typed.'));
    run.disabled = cases.length === 0;
  }

  /** Shows a run's results (from "Run tests" or from a replay). */
  function show(report: TestReport, forHook: string): void {
    if (forHook !== hook) return;
    results = new Map(report.results.map((r) => [r.id, r]));
    const s = report.summary;
    summary.textContent = `${s.total} test case${s.total === 1 ? '' : 's'}: ${s.passed} pass, ${s.failed} fail`;
    summary.dataset.passed = String(s.passed);
    summary.dataset.failed = String(s.failed);
    summary.className = s.failed ? 'error' : '';
    render();
  }

  run.addEventListener('click', async () => {
    if (!hook) return;
    const h0 = hook;
    summary.textContent = 'Running…';
    const r = await api<TestReport>('POST', `/api/hooks/${h0}/tests/run`, { source: draftSource() });
    if (!r.ok) {
      summary.textContent = `Not run: ${describe(r.error)}`;
      return;
    }
    show(r.body, h0);
  });

  exportLink.addEventListener('click', async (ev) => {
    ev.preventDefault();
    if (!hook) return;
    const r = await api<unknown>('GET', `/api/hooks/${hook}/export`);
    if (!r.ok) {
      note.textContent = describe(r.error);
      return;
    }
    const a = h('a', { href: URL.createObjectURL(new Blob([json(r.body)], { type: 'application/json' })), download: `${hook}.hookline.json` });
    a.click();
    URL.revokeObjectURL(a.href);
  });

  importInput.addEventListener('change', async () => {
    const file = importInput.files?.[0];
    if (!hook || !file) return;
    let body: unknown;
    try {
      body = JSON.parse(await file.text());
    } catch (e) {
      note.textContent = `${file.name} is not JSON: ${(e as Error).message}`;
      return;
    }
    const r = await api<{ draft: boolean; tests: number }>('POST', `/api/hooks/${hook}/import`, body);
    importInput.value = '';
    const said = r.ok ? `Imported ${r.body.tests} test case${r.body.tests === 1 ? '' : 's'}${r.body.draft ? ' and the source as the draft' : ''}` : `Not imported: ${describe(r.error)}`;
    if (r.ok) {
      // The hook opens again: the editor then holds the imported draft.
      imported();
      await load(hook);
    }
    note.textContent = said;
  });

  async function load(h0: string): Promise<void> {
    if (hook !== h0) {
      results = new Map();
      summary.textContent = '';
      note.textContent = '';
    }
    hook = h0;
    const mine = ++seq;
    const r = await api<{ tests: TestCase[] }>('GET', `/api/hooks/${h0}/tests`);
    if (mine !== seq) return;
    if (!r.ok) {
      clear(list, h('p.error', {}, describe(r.error)));
      return;
    }
    cases = r.body.tests;
    render();
  }

  return { load, show };
}
