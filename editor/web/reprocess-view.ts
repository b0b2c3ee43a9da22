/**
 * Reprocess a period, for the admin (issue 18): under the Status tab, the calls that ended between two times
 * read again from Asterisk's CEL and the ones Kommo lacks registered (POST /api/reprocess), or with "dry run"
 * only listed. Progress while it runs (calls read, registered, already there, left), Stop, and Start again on
 * the same period resumes. Without a cel section in the configuration it says so and offers nothing.
 */
import { api, describe } from './api.ts';
import { clear, h } from './dom.ts';

interface Run {
  from: string;
  to: string;
  dryRun: boolean;
  state: string;
  found: number;
  read: number;
  registered: number;
  already: number;
  skipped: number;
  left: number;
  resumeFrom: string | null;
  problems: string[];
  error: { code: string; message: string; hint: string } | null;
  wouldWrite?: { linkedid: string; endedAt: string; direction: string; from: string; to: string; notRegistered: string | null }[];
}

const POLL_MS = 1_000;

export function createReprocessView(root: HTMLElement) {
  const from = h('input#reprocess-from', { placeholder: '2026-12-01 09:00', 'data-testid': 'reprocess-from', size: 22 });
  const to = h('input#reprocess-to', { placeholder: '2026-12-01 18:00', 'data-testid': 'reprocess-to', size: 22 });
  const dry = h('input#reprocess-dry', { type: 'checkbox', 'data-testid': 'reprocess-dry' });
  const start = h('button#reprocess-start.primary', { 'data-testid': 'reprocess-start' }, 'Start');
  const stop = h('button#reprocess-stop', { 'data-testid': 'reprocess-stop', disabled: true }, 'Stop');
  const progress = h('p#reprocess-progress', { 'data-testid': 'reprocess-progress' });
  const list = h('ul#reprocess-list', { 'data-testid': 'reprocess-list' });
  root.append(h('section#reprocess', {},
    h('h2', {}, 'Reprocess a period'),
    h('p.muted', {}, 'The calls that ended between these times are read again from Asterisk\'s CEL, and those not yet in Kommo are registered. Times in the PBX\'s zone, or ISO 8601 with an offset. Start on the same period again to resume a stopped run.'),
    h('div.row', {}, h('label', { for: 'reprocess-from' }, 'From '), from, h('label', { for: 'reprocess-to' }, ' to '), to, h('label', {}, dry, ' dry run (write nothing, list what would be written)'), start, stop),
    progress, list));
  let timer: ReturnType<typeof setTimeout> | null = null;

  function show(r: Run | null): void {
    if (!r) {
      progress.textContent = 'No reprocess has run yet.';
      return;
    }
    const verb = r.dryRun ? 'would register' : 'registered';
    const what = { running: 'Running', stopped: 'Stopped (Start resumes it)', done: 'Done', failed: 'Failed' }[r.state] ?? r.state;
    progress.textContent = `${what}: ${r.from} to ${r.to}${r.dryRun ? ' (dry run)' : ''}: calls read ${r.read} of ${r.found}, ${verb} ${r.registered}, already in Kommo ${r.already}, not to register ${r.skipped}, left ${r.left}.${r.error ? ` ${describe(r.error)}` : ''}`;
    start.disabled = r.state === 'running';
    stop.disabled = r.state !== 'running';
    clear(list, ...(r.wouldWrite ?? []).slice(0, 200).map((w) => h('li', { 'data-linkedid': w.linkedid }, `${w.linkedid} ${w.direction} ${w.from} → ${w.to}: ${w.notRegistered ? `not registered (${w.notRegistered})` : 'would be registered'}`)),
      ...r.problems.slice(0, 20).map((p) => h('li.problem', {}, p)));
  }

  async function poll(): Promise<void> {
    timer = null;
    const r = await api<{ run: Run | null }>('GET', '/api/reprocess');
    if (!r.ok) {
      progress.textContent = r.error.code === 'CEL_NOT_CONFIGURED' ? 'CEL is not configured: add a cel section to the configuration to reprocess periods (docs/design/cel.md).' : describe(r.error);
      start.disabled = r.error.code === 'CEL_NOT_CONFIGURED';
      return;
    }
    show(r.body.run);
    if (r.body.run?.state === 'running') timer = setTimeout(() => void poll(), POLL_MS);
  }

  start.addEventListener('click', async () => {
    const r = await api<Run>('POST', '/api/reprocess', { from: from.value.trim(), to: to.value.trim(), ...(dry.checked ? { dryRun: true } : {}) });
    if (!r.ok) {
      progress.textContent = describe(r.error);
      return;
    }
    show(r.body);
    if (!timer) timer = setTimeout(() => void poll(), 200);
  });
  stop.addEventListener('click', async () => {
    const r = await api<{ run: Run | null }>('DELETE', '/api/reprocess', {});
    if (r.ok) show(r.body.run);
  });
  void poll();
  return {
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
