/**
 * Failures: the open hook's failure log (newest first): when, which version, the error code and message, and
 * the input of the same call when a capture of it is kept (matched by linkedid on the server). "Replay this
 * one" runs the editor's current text (the draft) on that input through the replay API (capture ids) and shows
 * the draft's output or error beside the failure.
 */
import { api, describe, type FailureRow, type ReplayResult } from './api.ts';
import { clear, h } from './dom.ts';
import { withPositions, type JumpTo } from './positions.ts';
import { createSaveCase } from './save-case.ts';

const json = (v: unknown) => JSON.stringify(v, null, 2);
const local = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

export function createFailuresView(root: HTMLElement, o: { draftSource: () => string; jumpTo: JumpTo; caseSaved: () => void }) {
  const draftSource = o.draftSource;
  const saveCase = createSaveCase({ draftSource, saved: () => o.caseSaved() });
  let hook: string | null = null;
  let seq = 0;
  const summary = h('p#failures-summary.muted', { 'data-testid': 'failures-summary', role: 'status' });
  const list = h('div#failures-list', { 'data-testid': 'failures-list' });
  root.append(summary, list);

  function row(f: FailureRow, i: number): HTMLElement {
    const result = h('div.failure-replay', { 'data-testid': 'failure-replay-result' });
    const caseSlot = h('div');
    /** What the draft returned when "Replay this one" last ran: the expected output starts from it. */
    let lastOutput: unknown = null;
    const asCase = f.capture
      ? h('button', { 'data-testid': 'failure-save-case', onclick: () => {
        if (!hook || !f.capture) return;
        saveCase.open(caseSlot, { hook, input: f.capture.input, captureId: f.capture.id, draftOutput: lastOutput, from: { kind: 'failure', captureId: f.capture.id, linkedid: f.linkedid } });
      } }, 'Save as test case')
      : null;
    const replayOne = f.capture
      ? h('button', {
        'data-testid': 'failure-replay', onclick: async () => {
          if (!hook || !f.capture) return;
          const forHook = hook;
          clear(result, h('span.muted', {}, 'Running the draft on this input…'));
          const r = await api<{ results: ReplayResult[] }>('POST', `/api/hooks/${forHook}/replay`, { ids: [f.capture.id], source: draftSource() });
          if (hook !== forHook) return;
          if (!r.ok) return clear(result, h('span.error', {}, `Replay refused: ${describe(r.error)}`));
          const res = r.body.results[0];
          if (!res) return clear(result, h('span.error', {}, 'The capture is no longer kept: nothing to replay.'));
          result.dataset.ok = String(res.draft.ok);
          lastOutput = res.draft.ok ? res.draft.data : null;
          clear(result,
            h('div', {}, res.draft.ok ? 'The draft returns:' : h('span.error', {}, withPositions(`The draft fails too: ${res.draft.error ? describe(res.draft.error) : 'unknown error'}`, o.jumpTo))),
            res.draft.ok ? h('pre', { 'data-testid': 'failure-replay-output' }, json(res.draft.data)) : null,
            res.draft.logs.length ? h('pre.muted', {}, res.draft.logs.map((l) => `[${l.level}] ${l.text}`).join('\n')) : null);
        },
      }, 'Replay this one')
      : h('span.muted', { title: 'Captures are kept per hook in a ring: this call\'s input is no longer (or was never) kept' }, 'input not kept');
    return h('div.failure', { 'data-testid': 'failure', 'data-index': i, 'data-code': f.code },
      h('div.failure-head', {},
        h('span', { 'data-testid': 'failure-time', title: f.time }, local(f.time)), ' · ',
        h('span', { 'data-testid': 'failure-version' }, f.version === null ? 'version unknown' : typeof f.version === 'number' ? `v${f.version}` : String(f.version)), ' · ',
        h('span.error', { 'data-testid': 'failure-code' }, f.code), ' · ',
        h('span', { 'data-testid': 'failure-call' }, `call ${f.linkedid ?? '-'}`), ' ',
        replayOne, ' ', asCase),
      h('div', { 'data-testid': 'failure-message' }, withPositions(f.message, o.jumpTo)),
      f.capture ? h('details', {}, h('summary', {}, 'Input'), h('pre', { 'data-testid': 'failure-input' }, json(f.capture.input))) : null,
      result, caseSlot);
  }

  return {
    async load(h0: string): Promise<void> {
      hook = h0;
      const mine = ++seq;
      clear(list);
      summary.textContent = 'Loading…';
      const r = await api<{ failures: FailureRow[] }>('GET', `/api/hooks/${h0}/failures`);
      if (mine !== seq) return;
      if (!r.ok) {
        summary.textContent = describe(r.error);
        return;
      }
      const fs = r.body.failures;
      summary.textContent = fs.length ? `${fs.length} failure${fs.length > 1 ? 's' : ''} kept, newest first` : 'No failures kept for this hook.';
      clear(list, fs.map(row));
    },
  };
}
