/**
 * Replay: the editor's current text (the draft) and the published version run on the hook's captured inputs
 * (all, or the ones ticked), each with the capture's time and seed. Results arrive over the WebSocket as they
 * complete, grouped by call: a heading per call (its direction and phone), a row per input (verdict, the call's
 * stage, direction, phone, output or error, duration). For the row chosen: the captured input beside the
 * draft's output, the diff against the published output (Monaco's diff editor), the logs, and "Save as test
 * case". Error positions link to the line. "Run once" runs the draft on an input edited as JSON. A replay of all
 * captures also runs the hook's test cases (shown in the Tests tab, counted here).
 */
import { api, describe, type ApiError, type Capture, type ReplayResult, type ReplayRun, type ReplaySummary, type TestReport } from './api.ts';
import { callFacts } from './call-facts.ts';
import { clear, h } from './dom.ts';
import { createDiff } from './monaco.ts';
import { withPositions, type JumpTo } from './positions.ts';
import { createSaveCase } from './save-case.ts';

const json = (v: unknown) => `${JSON.stringify(sortKeys(v), null, 2)}\n`;
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export interface ReplayViewOptions {
  draftSource: () => string;
  jumpTo: JumpTo;
  /** A replay of all captures ran the hook's test cases. */
  tests: (report: TestReport, hook: string) => void;
  /** A test case was saved (the Tests tab reloads). */
  caseSaved: () => void;
}

export function createReplayView(root: HTMLElement, o: ReplayViewOptions) {
  let hook: string | null = null;
  let results: ReplayResult[] = [];
  let selected: string | null = null;
  let socket: WebSocket | null = null;
  let captures = new Map<string, Capture>();
  let example: unknown = null;

  const all = h('button#replay-all.primary', { 'data-testid': 'replay-all' }, 'Replay all captures');
  const chosen = h('button#replay-selected', { 'data-testid': 'replay-selected', disabled: true }, 'Replay selected');
  const summary = h('span#replay-summary', { 'data-testid': 'replay-summary', role: 'status' });
  const testsCount = h('span#replay-tests', { 'data-testid': 'replay-tests' });
  const captureList = h('div#captures', { 'data-testid': 'captures' });
  const tbody = h('tbody#replay-results', { 'data-testid': 'replay-results' });
  const table = h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'verdict'), h('th', {}, 'stage'), h('th', {}, 'direction'), h('th', {}, 'phone'), h('th', {}, 'draft output / error'), h('th', { title: 'Milliseconds, as the runner measured the invocation: includes time queued behind the other replay invocations in flight' }, 'ms'))), tbody);
  const detailTitle = h('div#replay-detail-title.muted', {}, 'Choose a result to see its input, output, diff and logs.');
  const input = h('pre#replay-input', { 'data-testid': 'replay-input' });
  const output = h('pre#replay-output', { 'data-testid': 'replay-output' });
  const diffEl = h('div#replay-diff.diff', { 'data-testid': 'replay-diff' });
  const logs = h('pre#replay-logs', { 'data-testid': 'replay-logs' });
  // Issue 19: what the draft's fetch / kommo.request / store.set would have sent; a replay sends nothing.
  const wouldSend = h('pre#replay-would-send', { 'data-testid': 'replay-would-send' });
  const error = h('div#replay-error.error', { 'data-testid': 'replay-error' });
  const saveAsCase = h('button#save-as-case', { 'data-testid': 'save-as-case', disabled: true }, 'Save as test case');
  const caseSlot = h('div');
  // Run once: the draft on an input edited as JSON (a capture's, or the hook's example input).
  const onceInput = h('textarea#run-once-input.case-expected', { rows: 10, spellcheck: false, 'data-testid': 'run-once-input' });
  const onceRun = h('button#run-once', { 'data-testid': 'run-once' }, 'Run once');
  const onceSave = h('button#run-once-save', { 'data-testid': 'run-once-save', disabled: true }, 'Save as test case');
  const onceResult = h('div#run-once-result', { 'data-testid': 'run-once-result' });
  const onceSlot = h('div');
  root.append(
    h('div.toolbar', {}, all, chosen, summary, testsCount),
    h('div.split', {},
      h('div', {}, h('details#capture-picker', {}, h('summary', {}, 'Choose captures'), captureList), table,
        h('details#run-once-panel', { 'data-testid': 'run-once-panel' }, h('summary', {}, 'Run once on an input you edit (JSON)'), onceInput, h('div.toolbar', {}, onceRun, onceSave), onceResult, onceSlot)),
      h('div.detail', {}, h('div.toolbar', {}, detailTitle, h('span.spacer'), saveAsCase), error, caseSlot,
        h('div.case-io', {}, h('div', {}, h('div', {}, 'Captured input'), input), h('div', {}, h('div', {}, 'Draft output'), output)),
        h('div', {}, 'Published output → draft output'), diffEl, h('div', {}, 'Would send (not sent: replays never act)'), wouldSend, h('div', {}, 'Logs'), logs)),
  );
  const diff = createDiff(diffEl);
  const saveCase = createSaveCase({ draftSource: o.draftSource, saved: () => o.caseSaved() });
  const showError = (el: HTMLElement, e: ApiError | null, prefix = '') => clear(el, e ? withPositions(`${prefix}${describe(e)}`, o.jumpTo) : []);

  const ticked = () => [...captureList.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((c) => c.value);
  captureList.addEventListener('change', () => {
    const n = ticked().length;
    chosen.disabled = n === 0;
    chosen.textContent = n ? `Replay selected (${n})` : 'Replay selected';
  });

  function showDetail(r: ReplayResult): void {
    selected = r.id;
    for (const tr of tbody.querySelectorAll('tr[data-id]')) tr.classList.toggle('selected', tr.getAttribute('data-id') === r.id);
    detailTitle.textContent = `Call ${r.linkedid ?? '-'} · ${new Date(r.time).toLocaleString()} · ${r.verdict}`;
    showError(error, r.draft.error);
    const c = captures.get(r.id);
    input.textContent = c ? json(c.input) : '(the input is no longer kept)';
    output.textContent = json(r.draft.data);
    diff.show(json(r.published.data), json(r.draft.data), 'json');
    logs.textContent = r.draft.logs.length ? r.draft.logs.map((l) => `[${l.level}] ${l.text}`).join('\n') : '(no logs)';
    const w = r.draft.wouldSend ?? [];
    wouldSend.textContent = w.length
      ? w.map((x) => `${x.kind === 'store.set' ? 'store.set' : `${x.kind} ${x.method}`} ${x.target}${x.body ? `  ${x.body.length > 200 ? `${x.body.slice(0, 200)}…` : x.body}` : ''}${x.recorded ? '' : '  (not in the capture: a dry answer was given)'}`).join('\n')
      : '(nothing)';
    saveAsCase.disabled = !c;
    saveCase.close();
  }

  saveAsCase.addEventListener('click', () => {
    const r = results.find((x) => x.id === selected);
    const c = selected ? captures.get(selected) : undefined;
    if (!hook || !r || !c) return;
    saveCase.open(caseSlot, { hook, input: c.input, captureId: c.id, draftOutput: r.draft.ok ? r.draft.data : null, from: { kind: 'capture', captureId: c.id, linkedid: c.linkedid } });
  });

  /** Rows are grouped by call: a heading row per call, its inputs after it, in the order they complete. */
  function addRow(r: ReplayResult): void {
    results.push(r);
    const call = r.linkedid ?? '-';
    const facts = callFacts(captures.get(r.id)?.input);
    let group = [...tbody.querySelectorAll<HTMLTableRowElement>('tr.call-group')].find((g) => g.dataset.call === call);
    if (!group) {
      group = h('tr.call-group', { 'data-call': call, 'data-testid': 'call-group' },
        h('td', { colspan: 6 }, `Call ${call}`, facts.direction ? ` · ${facts.direction}` : '', facts.phone ? ` · ${facts.phone}` : ''));
      tbody.append(group);
    }
    const shown = r.draft.error ? r.draft.error.code : JSON.stringify(r.draft.data);
    const tr = h('tr', { 'data-id': r.id, 'data-verdict': r.verdict, 'data-call': call, 'data-testid': 'replay-row', onclick: () => showDetail(r) },
      h(`td.verdict-${r.verdict}`, {}, r.verdict),
      h('td', { 'data-testid': 'row-stage', title: `capture ${r.id}, ${r.time}` }, facts.stage || '—'),
      h('td', { 'data-testid': 'row-direction' }, facts.direction || '—'),
      h('td', { 'data-testid': 'row-phone' }, facts.phone || '—'),
      h('td', { title: shown }, shown.length > 60 ? `${shown.slice(0, 60)}…` : shown),
      h('td', {}, r.draft.durationMs.toFixed(1)));
    let last: Element = group;
    while (last.nextElementSibling && !last.nextElementSibling.classList.contains('call-group')) last = last.nextElementSibling;
    last.after(tr);
  }

  function finish(s: ReplaySummary): void {
    summary.textContent = `${s.total} inputs: ${s.changed} changed, ${s.failed} failed, ${s.unchanged} unchanged`;
    summary.dataset.changed = String(s.changed);
    summary.dataset.failed = String(s.failed);
    summary.dataset.unchanged = String(s.unchanged);
    all.disabled = false;
    const first = results.find((r) => r.verdict !== 'unchanged') ?? results[0];
    if (first && !selected) showDetail(first);
  }

  function run(ids?: string[]): void {
    if (!hook) return;
    const forHook = hook;
    reset();
    summary.textContent = 'Replaying…';
    all.disabled = true;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'replay', hook: forHook, source: o.draftSource(), ...(ids ? { ids } : {}) }));
    ws.onmessage = (ev) => {
      if (socket !== ws) return; // a stream of a hook left since
      const msg = JSON.parse(String(ev.data)) as { type: string; result?: ReplayResult; summary?: ReplaySummary; tests?: TestReport; error?: ApiError };
      if (msg.type === 'result' && msg.result) addRow(msg.result);
      else if (msg.type === 'tests' && msg.tests) {
        const t = msg.tests.summary;
        testsCount.textContent = `· test cases: ${t.passed} pass, ${t.failed} fail`;
        testsCount.className = t.failed ? 'error' : 'muted';
        testsCount.dataset.failed = String(t.failed);
        o.tests(msg.tests, forHook);
      } else if (msg.type === 'summary' && msg.summary) {
        finish(msg.summary);
        ws.close();
      } else if (msg.type === 'error' && msg.error) {
        clear(summary, withPositions(`Replay refused: ${describe(msg.error)}`, o.jumpTo));
        all.disabled = false;
        ws.close();
      }
    };
    ws.onerror = () => {
      summary.textContent = 'The replay stream failed: is hookline still running? Log in again if the session ended.';
      all.disabled = false;
    };
  }

  function reset(): void {
    socket?.close();
    socket = null;
    results = [];
    selected = null;
    clear(tbody);
    summary.textContent = '';
    testsCount.textContent = '';
    delete summary.dataset.changed;
    all.disabled = false;
    detailTitle.textContent = 'Choose a result to see its input, output, diff and logs.';
    clear(error);
    input.textContent = '';
    output.textContent = '';
    logs.textContent = '';
    wouldSend.textContent = '';
    saveAsCase.disabled = true;
    saveCase.close();
    diff.show('', '', 'json');
  }

  let onceRan: { input: unknown; run: ReplayRun } | null = null;
  onceRun.addEventListener('click', async () => {
    if (!hook) return;
    const forHook = hook;
    let value: unknown;
    try {
      value = JSON.parse(onceInput.value);
    } catch (e) {
      clear(onceResult, h('span.error', {}, `The input is not JSON: ${(e as Error).message}`));
      return;
    }
    clear(onceResult, h('span.muted', {}, 'Running…'));
    const r = await api<{ draft: ReplayRun }>('POST', `/api/hooks/${forHook}/run`, { source: o.draftSource(), input: value });
    if (hook !== forHook) return;
    if (!r.ok) return showError(onceResult, r.error, 'Not run: ');
    onceRan = { input: value, run: r.body.draft };
    onceResult.dataset.ok = String(r.body.draft.ok);
    onceSave.disabled = false;
    const errorEl = h('div.error');
    showError(errorEl, r.body.draft.error, 'The draft fails: ');
    clear(onceResult, r.body.draft.error ? errorEl : null, h('div', {}, 'Draft output'), h('pre', { 'data-testid': 'run-once-output' }, json(r.body.draft.data)),
      r.body.draft.logs.length ? h('pre.muted', {}, r.body.draft.logs.map((l) => `[${l.level}] ${l.text}`).join('\n')) : null);
  });
  onceSave.addEventListener('click', () => {
    if (!hook || !onceRan) return;
    saveCase.open(onceSlot, { hook, input: onceRan.input, draftOutput: onceRan.run.ok ? onceRan.run.data : null, from: { kind: 'manual' } });
  });

  all.addEventListener('click', () => run());
  chosen.addEventListener('click', () => run(ticked()));

  return {
    async load(h0: string): Promise<void> {
      // Another hook: nothing of the last one's replay stays (its stream, rows, or the result shown).
      if (hook !== h0) {
        hook = h0;
        reset();
        onceRan = null;
        onceSave.disabled = true;
        clear(onceResult);
        onceInput.value = '';
      }
      const [r, ex] = await Promise.all([api<{ captures: Capture[] }>('GET', `/api/hooks/${h0}/captures?limit=200`), api<{ input: unknown }>('GET', `/api/hooks/${h0}/example`)]);
      if (hook !== h0) return;
      example = ex.ok ? ex.body.input : null;
      if (!r.ok) {
        clear(captureList, h('p.error', {}, describe(r.error)));
        return;
      }
      const caps = r.body.captures;
      captures = new Map(caps.map((c) => [c.id, c]));
      if (!onceInput.value) onceInput.value = json(caps[0]?.input ?? example);
      all.textContent = `Replay all captures (${caps.length})`;
      clear(captureList, caps.length
        ? caps.map((c) => {
          const f = callFacts(c.input);
          return h('label', { style: 'display:block' }, h('input', { type: 'checkbox', value: c.id, 'data-testid': 'capture' }), ` call ${c.linkedid ?? c.id} · ${[f.stage, f.direction, f.phone].filter(Boolean).join(' · ')} · ${new Date(c.time).toLocaleTimeString()}`);
        })
        : h('p.muted', {}, 'No captured inputs yet: they are recorded as calls run this hook.'));
    },
    dispose() {
      socket?.close();
      diff.dispose();
    },
  };
}
