/**
 * Shadow (issue 17, item 7): the editor's text runs in shadow on live calls beside the published version: its
 * output recorded and compared, never used. The tab shows, as calls come (polled every 2 s while open), each
 * call where it ran: the verdict (same, differs, failed), the live output against the shadow's as a diff, and
 * the input. Stop ends it; so does publishing the hook.
 */
import { api, describe } from './api.ts';
import { clear, h } from './dom.ts';
import { diffBlock } from './tests-view.ts';

interface ShadowInfo {
  active: boolean; since: string; author: string; runs: number; same: number; differs: number; failed: number;
  skipped: { cpu: number; busy: number }; usedMs: number; budgetMs: number; windowMs: number; stoppedAt: string | null; stopReason: string | null;
}
interface ShadowResult {
  seq: number; time: string; linkedid: string | null; verdict: 'same' | 'differs' | 'failed'; input: unknown;
  live: { version: number | string | null; data: unknown; error: string | null };
  shadow: { data: unknown; error: { code: string; message: string } | null; durationMs: number };
  diff: string;
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

export function createShadowView(root: HTMLElement, draftSource: () => string) {
  let hook: string | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let seq = 0;
  const start = h('button#shadow-start.primary', { 'data-testid': 'shadow-start', title: 'The editor\'s text runs on live calls beside the published version; its output is recorded and never used' }, 'Run this draft in shadow');
  const stop = h('button#shadow-stop', { 'data-testid': 'shadow-stop', disabled: true }, 'Stop the shadow');
  const state = h('span#shadow-state', { 'data-testid': 'shadow-state', role: 'status' });
  const list = h('div#shadow-results', { 'data-testid': 'shadow-results' });
  root.append(h('div.toolbar', {}, start, stop, state), list);

  function row(r: ShadowResult): HTMLElement {
    return h('div.test-case', { 'data-testid': 'shadow-result', 'data-verdict': r.verdict, 'data-call': r.linkedid ?? '' },
      h('div.failure-head', {}, h(`span.test-verdict.${r.verdict === 'same' ? 'pass' : 'fail'}`, {}, r.verdict), ` · call ${r.linkedid ?? '-'} · ${new Date(r.time).toLocaleTimeString()} · live ${r.live.version === null ? 'default' : `v${r.live.version}`} · ${r.shadow.durationMs.toFixed(1)} ms`),
      r.shadow.error ? h('div.error', {}, `The shadow fails: ${r.shadow.error.code}: ${r.shadow.error.message}`) : null,
      r.diff ? diffBlock(r.diff) : null,
      h('details', {}, h('summary', {}, 'Input'), h('pre', { 'data-testid': 'shadow-input' }, json(r.input))));
  }

  async function refresh(): Promise<void> {
    if (!hook) return;
    const mine = ++seq;
    const r = await api<{ available: boolean; shadow: ShadowInfo | null; results: ShadowResult[] }>('GET', `/api/hooks/${hook}/shadow`);
    if (mine !== seq) return;
    if (!r.ok) {
      state.textContent = describe(r.error);
      return;
    }
    const s = r.body.shadow;
    start.disabled = !r.body.available;
    stop.disabled = !s?.active;
    root.dataset.active = String(Boolean(s?.active));
    if (!r.body.available) state.textContent = 'Shadow runs need live calls: this editor runs without the engine.';
    else if (!s) state.textContent = 'No shadow: run the draft in shadow to see, call by call, where its output would differ from the live one.';
    else {
      const skipped = s.skipped.cpu + s.skipped.busy;
      const counts = `${s.runs} call${s.runs === 1 ? '' : 's'}: ${s.differs} differ, ${s.failed} failed, ${s.same} the same${skipped ? `; ${skipped} not shadowed (its share of time used up or busy)` : ''}`;
      state.textContent = s.active
        ? `In shadow since ${new Date(s.since).toLocaleTimeString()} (${s.author}): ${counts}. Time used: ${s.usedMs} of ${s.budgetMs} ms per ${s.windowMs / 1000} s.`
        : `Ended ${s.stoppedAt ? new Date(s.stoppedAt).toLocaleTimeString() : ''} (${s.stopReason ?? ''}): ${counts}.`;
      state.dataset.runs = String(s.runs);
      state.dataset.differs = String(s.differs);
    }
    clear(list, r.body.results.map(row));
  }

  start.addEventListener('click', async () => {
    if (!hook) return;
    const r = await api('POST', `/api/hooks/${hook}/shadow`, { source: draftSource() });
    if (!r.ok) state.textContent = `Not started: ${describe(r.error)}`;
    else await refresh();
  });
  stop.addEventListener('click', async () => {
    if (!hook) return;
    const r = await api('POST', `/api/hooks/${hook}/shadow/stop`, {});
    if (!r.ok) state.textContent = describe(r.error);
    await refresh();
  });

  return {
    /** The tab shown for a hook: polls while shown. */
    show(h0: string): void {
      if (hook !== h0) {
        clear(list);
        state.textContent = '';
      }
      hook = h0;
      void refresh();
      timer ??= setInterval(() => void refresh(), 2000);
    },
    hide(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
