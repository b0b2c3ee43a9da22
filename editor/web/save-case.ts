/**
 * "Save as test case" (issue 17, item 3), from a replay row, a failure or a run of an input typed as JSON: a name
 * and the expected output, either edited as JSON (prefilled with what the draft returned) or taken from what
 * the editor's current text returns now (the server runs it on the input). One form, shown where it was asked for.
 */
import { api, describe, type TestCase } from './api.ts';
import { clear, h } from './dom.ts';

export interface CaseSource {
  hook: string;
  input: unknown;
  /** A capture's id: its input, time and seed are taken. */
  captureId?: string;
  now?: number;
  seed?: number;
  /** What the draft returned on it, to start the expected output from (null when it failed). */
  draftOutput: unknown;
  /** Where the input came from, for the case's record. */
  from: { kind: string; captureId?: string; linkedid?: string | null };
}

export function createSaveCase(o: { draftSource: () => string; saved?: (t: TestCase) => void }) {
  const name = h('input.case-name', { type: 'text', placeholder: 'What this case checks', size: 36, 'data-testid': 'case-name' });
  const expected = h('textarea.case-expected', { rows: 8, cols: 60, spellcheck: false, 'data-testid': 'case-expected' });
  const asJson = h('button.primary', { 'data-testid': 'save-case-json', title: 'The expected output is the JSON above' }, 'Save with this expected output');
  const fromDraft = h('button', { 'data-testid': 'save-case-draft', title: 'The expected output is what the editor\'s current text returns on this input now' }, 'Save with what the draft returns now');
  const cancel = h('button', { 'data-testid': 'save-case-cancel' }, 'Cancel');
  const note = h('div.case-note', { 'data-testid': 'save-case-result', role: 'status' });
  const form = h('div.save-case', { 'data-testid': 'save-case', hidden: true },
    h('div', {}, h('strong', {}, 'Save as test case'), ' ', name),
    h('div.muted', {}, 'Expected output (JSON):'), expected, h('div.toolbar', {}, asJson, fromDraft, cancel), note);
  let current: CaseSource | null = null;

  async function save(body: Record<string, unknown>): Promise<void> {
    if (!current) return;
    const c = current;
    const r = await api<{ test: TestCase }>('POST', `/api/hooks/${c.hook}/tests`, {
      name: name.value.trim() || `call ${c.from.linkedid ?? c.from.kind}`,
      ...(c.captureId ? { captureId: c.captureId } : { input: c.input }),
      ...(c.now !== undefined ? { now: c.now } : {}), ...(c.seed !== undefined ? { seed: c.seed } : {}),
      from: c.from, ...body,
    });
    if (!r.ok) {
      note.className = 'case-note error';
      note.textContent = `Not saved: ${describe(r.error)}`;
      return;
    }
    note.className = 'case-note muted';
    note.textContent = `Saved "${r.body.test.name}": it runs on every replay and on publish`;
    form.dataset.saved = r.body.test.id;
    o.saved?.(r.body.test);
  }

  asJson.addEventListener('click', () => {
    let value: unknown;
    try {
      value = JSON.parse(expected.value);
    } catch (e) {
      note.className = 'case-note error';
      note.textContent = `The expected output is not JSON: ${(e as Error).message}`;
      return;
    }
    void save({ expected: value });
  });
  fromDraft.addEventListener('click', () => void save({ source: o.draftSource() }));
  cancel.addEventListener('click', () => {
    form.hidden = true;
    current = null;
  });

  return {
    element: form,
    /** Shows the form for this input, inside `where` (moved there if shown elsewhere). */
    open(where: HTMLElement, c: CaseSource): void {
      current = c;
      where.append(form);
      delete form.dataset.saved;
      name.value = '';
      expected.value = c.draftOutput === null || c.draftOutput === undefined ? '' : JSON.stringify(c.draftOutput, null, 2);
      clear(note);
      form.hidden = false;
      name.focus();
    },
    close(): void {
      form.hidden = true;
      current = null;
    },
  };
}
