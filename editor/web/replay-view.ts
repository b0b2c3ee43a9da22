/**
 * Replay: the editor's current text (the draft) and the published version run on the hook's captured inputs
 * (all, or the ones ticked), each with the capture's time and seed. Results arrive over the WebSocket as they
 * complete; one row per input (verdict or error code, duration), and for the row chosen: the draft's output,
 * the diff against the published output (Monaco's diff editor) and the logs.
 */
import { api, describe, type Capture, type ReplayResult, type ReplaySummary } from './api.ts';
import { clear, h } from './dom.ts';
import { createDiff } from './monaco.ts';

const json = (v: unknown) => `${JSON.stringify(sortKeys(v), null, 2)}\n`;
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export function createReplayView(root: HTMLElement, draftSource: () => string) {
  let hook: string | null = null;
  let results: ReplayResult[] = [];
  let selected: string | null = null;
  let socket: WebSocket | null = null;

  const all = h('button#replay-all.primary', { 'data-testid': 'replay-all' }, 'Replay all captures');
  const chosen = h('button#replay-selected', { 'data-testid': 'replay-selected', disabled: true }, 'Replay selected');
  const summary = h('span#replay-summary', { 'data-testid': 'replay-summary', role: 'status' });
  const captureList = h('div#captures', { 'data-testid': 'captures' });
  const tbody = h('tbody#replay-results', { 'data-testid': 'replay-results' });
  const table = h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'verdict'), h('th', {}, 'call'), h('th', {}, 'draft output / error'), h('th', { title: 'Milliseconds, as the runner measured the invocation: includes time queued behind the other replay invocations in flight' }, 'ms'))), tbody);
  const detailTitle = h('div#replay-detail-title.muted', {}, 'Choose a result to see its output, diff and logs.');
  const output = h('pre#replay-output', { 'data-testid': 'replay-output' });
  const diffEl = h('div#replay-diff.diff', { 'data-testid': 'replay-diff' });
  const logs = h('pre#replay-logs', { 'data-testid': 'replay-logs' });
  // Issue 19: what the draft's fetch / kommo.request / store.set would have sent; a replay sends nothing.
  const wouldSend = h('pre#replay-would-send', { 'data-testid': 'replay-would-send' });
  const error = h('div#replay-error.error');
  root.append(
    h('div.toolbar', {}, all, chosen, summary),
    h('div.split', {},
      h('div', {}, h('details#capture-picker', {}, h('summary', {}, 'Choose captures'), captureList), table),
      h('div.detail', {}, detailTitle, error, h('div', {}, 'Draft output'), output, h('div', {}, 'Published output → draft output'), diffEl, h('div', {}, 'Would send (not sent: replays never act)'), wouldSend, h('div', {}, 'Logs'), logs)),
  );
  const diff = createDiff(diffEl);

  const ticked = () => [...captureList.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((c) => c.value);
  captureList.addEventListener('change', () => {
    const n = ticked().length;
    chosen.disabled = n === 0;
    chosen.textContent = n ? `Replay selected (${n})` : 'Replay selected';
  });

  function showDetail(r: ReplayResult): void {
    selected = r.id;
    for (const tr of tbody.querySelectorAll('tr')) tr.classList.toggle('selected', tr.getAttribute('data-id') === r.id);
    detailTitle.textContent = `Capture ${r.id} · call ${r.linkedid ?? '-'} · ${r.time} · ${r.verdict}`;
    error.textContent = r.draft.error ? describe(r.draft.error) : '';
    output.textContent = json(r.draft.data);
    diff.show(json(r.published.data), json(r.draft.data), 'json');
    logs.textContent = r.draft.logs.length ? r.draft.logs.map((l) => `[${l.level}] ${l.text}`).join('\n') : '(no logs)';
    const w = r.draft.wouldSend ?? [];
    wouldSend.textContent = w.length
      ? w.map((x) => `${x.kind === 'store.set' ? 'store.set' : `${x.kind} ${x.method}`} ${x.target}${x.body ? `  ${x.body.length > 200 ? `${x.body.slice(0, 200)}…` : x.body}` : ''}${x.recorded ? '' : '  (not in the capture: a dry answer was given)'}`).join('\n')
      : '(nothing)';
  }

  function addRow(r: ReplayResult): void {
    results.push(r);
    const shown = r.draft.error ? r.draft.error.code : JSON.stringify(r.draft.data);
    const tr = h('tr', { 'data-id': r.id, 'data-verdict': r.verdict, 'data-testid': 'replay-row', onclick: () => showDetail(r) },
      h(`td.verdict-${r.verdict}`, {}, r.verdict),
      h('td', { title: `capture ${r.id}, ${r.time}` }, `${r.linkedid ?? r.id} · ${r.time.slice(11, 19)}`),
      h('td', { title: shown }, shown.length > 60 ? `${shown.slice(0, 60)}…` : shown),
      h('td', {}, r.draft.durationMs.toFixed(1)));
    tbody.append(tr);
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
    reset();
    summary.textContent = 'Replaying…';
    all.disabled = true;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'replay', hook, source: draftSource(), ...(ids ? { ids } : {}) }));
    ws.onmessage = (ev) => {
      if (socket !== ws) return; // a stream of a hook left since
      const msg = JSON.parse(String(ev.data)) as { type: string; result?: ReplayResult; summary?: ReplaySummary; error?: { code: string; message: string; hint?: string } };
      if (msg.type === 'result' && msg.result) addRow(msg.result);
      else if (msg.type === 'summary' && msg.summary) {
        finish(msg.summary);
        ws.close();
      } else if (msg.type === 'error' && msg.error) {
        summary.textContent = `Replay refused: ${describe(msg.error)}`;
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
    delete summary.dataset.changed;
    all.disabled = false;
    detailTitle.textContent = 'Choose a result to see its output, diff and logs.';
    error.textContent = '';
    output.textContent = '';
    logs.textContent = '';
    wouldSend.textContent = '';
    diff.show('', '', 'json');
  }

  all.addEventListener('click', () => run());
  chosen.addEventListener('click', () => run(ticked()));

  return {
    async load(h0: string): Promise<void> {
      // Another hook: nothing of the last one's replay stays (its stream, rows, or the result shown).
      if (hook !== h0) {
        hook = h0;
        reset();
      }
      const r = await api<{ captures: Capture[] }>('GET', `/api/hooks/${h0}/captures?limit=200`);
      if (!r.ok) {
        clear(captureList, h('p.error', {}, describe(r.error)));
        return;
      }
      const caps = r.body.captures;
      all.textContent = `Replay all captures (${caps.length})`;
      clear(captureList, caps.length
        ? caps.map((c) => h('label', { style: 'display:block' }, h('input', { type: 'checkbox', value: c.id, 'data-testid': 'capture' }), ` ${c.linkedid ?? c.id} · ${c.time}`))
        : h('p.muted', {}, 'No captured inputs yet: they are recorded as calls run this hook.'));
    },
    dispose() {
      socket?.close();
      diff.dispose();
    },
  };
}
