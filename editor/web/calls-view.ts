/**
 * The Calls page: each call's story (GET /api/calls…). The list with filters (number, direction, answered, failed),
 * and a call's timeline: events → stages → hooks → Kommo, each step expandable; "Open in the editor" on a hook
 * invocation puts its input at the top of the hook's replay list and opens the hook. And the dry run of the drafts
 * over the recorded calls (also shown before Publish, showPublishDryRun).
 */
import { api, describe, text } from './api.ts';
import { clear, h } from './dom.ts';

interface CallRow {
  linkedid: string;
  at: number;
  startedAt: string;
  direction: string;
  from: string;
  to: string;
  answered: boolean;
  answeredBy: string | null;
  durationSec: number | null;
  result: number;
  outcome: string;
  reason: string | null;
  hooks: number;
  kommoWrites: number;
  events: number;
}

interface StoryHookRow { hook: string; version: number | string | null; at: number; durationMs: number; input: unknown; output: unknown; error: { code: string; message: string } | null; logs: unknown[] }
interface StoryKommoRow { at: number; durationMs: number; op: string; method: string; route: string; write: boolean; request: unknown[]; status: number | null; answer: unknown }
interface StoryBody {
  summary: CallRow;
  call: { stages: string[]; decisions: { stage: string; register: boolean; phone?: string; reason?: string }[] } | null;
  hooks: StoryHookRow[];
  kommo: StoryKommoRow[];
  entities: { type: string; id: number | string; url: string | null }[];
}

interface DryRunBody {
  summary: { total: number; changed: number; unchanged: number; failed: number };
  drafts: { hook: string; error: { code: string; message: string } | null }[];
  calls: { linkedid: string; direction: string; from: string; to: string; status: string; error: { code: string; message: string } | null; changes: { method: string; route: string; index: number; diff: string }[] }[];
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);
const timeOf = (ms: number) => new Date(ms).toLocaleString();

function block(title: string, testid: string, body: Node | string, open = false): HTMLDetailsElement {
  return h('details.step', { 'data-testid': testid, ...(open ? { open: true } : {}) }, h('summary', {}, title), typeof body === 'string' ? h('pre', {}, body) : body);
}

/** The dry run's answer as a sentence and a list of the calls that change. */
export function renderDryRun(el: HTMLElement, r: DryRunBody): void {
  const s = r.summary;
  const drafts = r.drafts.length ? r.drafts.map((d) => d.hook + (d.error ? ` (${d.error.code})` : '')).join(', ') : 'no draft: the published versions';
  clear(el,
    h('p', { 'data-testid': 'dry-run-summary' }, `Publishing these drafts changes ${s.changed} of the last ${s.total} calls (${s.unchanged} unchanged, ${s.failed} could not be run). Drafts: ${drafts}. Nothing was sent to Kommo.`),
    ...r.calls.filter((c) => c.status !== 'unchanged').map((c) =>
      block(`${c.status}: ${c.direction} ${c.from} → ${c.to} (${c.linkedid})`, 'dry-run-call',
        h('div', {}, c.error ? h('p.error', {}, `${c.error.code}: ${c.error.message}`) : null, ...c.changes.map((x) => h('div', {}, h('div.muted', {}, `${x.method} ${x.route} #${x.index + 1}`), h('pre.diff-text', { 'data-testid': 'dry-run-diff' }, x.diff)))))),
  );
}

async function runDryRun(el: HTMLElement, limit: number): Promise<void> {
  el.hidden = false;
  clear(el, h('p.muted', {}, `Running the drafts over the last ${limit} calls…`));
  const r = await api<DryRunBody>('POST', '/api/calls/dry-run', { limit });
  // an editor served without the calls API (no stories): nothing to say
  if (!r.ok && r.status === 404 && r.error.code !== 'STORIES_OFF') el.hidden = true;
  else if (!r.ok) clear(el, h('p.error', {}, describe(r.error)));
  else renderDryRun(el, r.body);
}

/** Before Publish: the dry run of every draft over the last 200 calls, shown inside the confirmation panel. */
export function showPublishDryRun(panel: Element | null): void {
  if (!panel) return;
  let el = panel.querySelector<HTMLElement>('[data-testid=publish-dry-run]');
  if (!el) {
    el = h('div.dry-run', { 'data-testid': 'publish-dry-run' });
    panel.append(el);
  }
  void runDryRun(el, 200);
}

export function createCallsView(root: HTMLElement, o: { openHook: (hook: string) => void }) {
  const number = h('input#calls-number', { type: 'search', placeholder: 'number', size: 14, 'data-testid': 'calls-number' });
  const direction = h('select#calls-direction', { 'data-testid': 'calls-direction' }, ...['', 'inbound', 'outbound', 'internal'].map((d) => h('option', { value: d }, d || 'any direction')));
  const answered = h('select#calls-answered', { 'data-testid': 'calls-answered' }, h('option', { value: '' }, 'answered or not'), h('option', { value: 'true' }, 'answered'), h('option', { value: 'false' }, 'not answered'));
  const failed = h('input#calls-failed', { type: 'checkbox', 'data-testid': 'calls-failed' });
  const search = h('button#calls-search.primary', { 'data-testid': 'calls-search' }, 'Search');
  const dryLimit = h('input#dry-run-limit', { type: 'number', min: 1, max: 10000, value: 200, size: 5 });
  const dry = h('button#dry-run', { 'data-testid': 'dry-run' }, 'Dry run the drafts');
  const status = h('span.muted', { role: 'status', 'data-testid': 'calls-status' });
  const tbody = h('tbody', { 'data-testid': 'calls-list' });
  const detail = h('div.detail', { 'data-testid': 'call-detail' }, h('p.muted', {}, 'Choose a call to see its story.'));
  const dryOut = h('div.dry-run', { 'data-testid': 'dry-run-result' });
  root.append(
    h('div.toolbar', {}, number, direction, answered, h('label', {}, failed, ' failed only'), search, status, h('span.spacer'), dryLimit, dry),
    dryOut,
    h('div.split', {},
      h('div', {}, h('table', {}, h('thead', {}, h('tr', {}, ...['time', 'direction', 'from', 'to', 'answered by', 's', 'outcome'].map((t) => h('th', {}, t)))), tbody)),
      detail),
  );

  async function load(): Promise<void> {
    const q = new URLSearchParams({ limit: '200' });
    if (number.value.trim()) q.set('number', number.value.trim());
    if (direction.value) q.set('direction', direction.value);
    if (answered.value) q.set('answered', answered.value);
    if (failed.checked) q.set('outcome', 'failed');
    const r = await api<{ calls: CallRow[] }>('GET', `/api/calls?${q}`);
    if (!r.ok) {
      status.textContent = describe(r.error);
      return;
    }
    status.textContent = `${r.body.calls.length} call${r.body.calls.length === 1 ? '' : 's'}`;
    clear(tbody, r.body.calls.map((c) =>
      h('tr', { 'data-linkedid': c.linkedid, 'data-testid': 'call-row', onclick: () => void show(c.linkedid) },
        h('td', {}, timeOf(c.at)), h('td', {}, c.direction), h('td', {}, c.from), h('td', {}, c.to), h('td', {}, c.answeredBy ?? '-'), h('td', {}, c.durationSec ?? '-'),
        h(`td.outcome.${c.outcome}`, { title: c.reason ?? '' }, c.outcome + (c.reason ? `: ${c.reason}` : '')))));
  }

  async function show(linkedid: string): Promise<void> {
    for (const tr of tbody.querySelectorAll('tr')) tr.classList.toggle('selected', tr.getAttribute('data-linkedid') === linkedid);
    const r = await api<StoryBody>('GET', `/api/calls/${encodeURIComponent(linkedid)}`);
    if (!r.ok) {
      clear(detail, h('p.error', {}, describe(r.error)));
      return;
    }
    const s = r.body;
    const events = s.summary.events > 0
      ? h('a', { href: `/api/calls/${encodeURIComponent(linkedid)}/capture.ami`, download: `${linkedid}.ami`, 'data-testid': 'capture-link' }, `Download its events (capture.ami, ${s.summary.events} events): hookline calls replays it`)
      : h('span.muted', {}, 'Its events are not kept (stories.eventsCalls).');
    const eventsPre = h('pre', { 'data-testid': 'story-events-text' }, 'Loading…');
    const eventsBlock = block(`Events (${s.summary.events})`, 'story-events', eventsPre);
    eventsBlock.addEventListener('toggle', () => {
      if (eventsBlock.open && eventsPre.textContent === 'Loading…') void text(`/api/calls/${encodeURIComponent(linkedid)}/capture.ami`).then((t) => (eventsPre.textContent = t ?? 'Its events are not kept.'));
    });
    const stages = (s.call?.decisions ?? []).map((d) => h('li', { 'data-testid': 'stage' }, `${d.stage}: ${d.register ? `register ${d.phone ?? ''}` : `not registered (${d.reason ?? ''})`}`));
    const hooks = s.hooks.map((x, i) => block(`${x.hook} · ${x.version === null ? 'default' : `v${x.version}`} · ${x.durationMs} ms${x.error && x.error.code !== 'NO_SCRIPT' ? ` · ${x.error.code}` : ''}`, 'story-hook',
      h('div', {},
        h('button.open-in-editor', { 'data-testid': 'open-in-editor', onclick: () => void openInEditor(linkedid, i, x.hook) }, 'Open in the editor'),
        x.error ? h('p.muted', {}, `${x.error.code}: ${x.error.message}`) : null,
        h('div', {}, 'Input'), h('pre', {}, pretty(x.input)), h('div', {}, 'Output'), h('pre', {}, pretty(x.output)),
        x.logs.length ? h('div', {}, 'Logs', h('pre', {}, pretty(x.logs))) : null)));
    const kommo = s.kommo.map((k) => block(`${k.method} ${k.route} · ${k.status ?? 'no answer'} · ${Math.round(k.durationMs)} ms${k.write ? ' · write' : ''}`, k.write ? 'story-kommo-write' : 'story-kommo-read',
      h('div', {}, h('div', {}, 'Request'), h('pre', {}, pretty(k.request)), h('div', {}, 'Answer'), h('pre', {}, pretty(k.answer)))));
    const entities = s.entities.map((e) => h('li', {}, e.url ? h('a', { href: e.url, target: '_blank', rel: 'noopener' }, `${e.type} ${e.id}`) : `${e.type} ${e.id}`));
    const sum = s.summary;
    clear(detail,
      h('h3', {}, `${sum.direction} ${sum.from} → ${sum.to}`),
      h('p', { 'data-testid': 'story-summary' }, `${sum.startedAt || timeOf(sum.at)} · ${sum.answered ? `answered by ${sum.answeredBy ?? '?'}` : 'not answered'} · ${sum.durationSec ?? '?'} s · result ${sum.result} · ${sum.outcome}${sum.reason ? `: ${sum.reason}` : ''}`),
      h('p', {}, events),
      s.summary.events > 0 ? eventsBlock : null,
      block(`Stages (${stages.length})`, 'story-stages', h('ol', {}, stages), true),
      block(`Hooks (${hooks.length})`, 'story-hooks', h('div', {}, hooks), true),
      block(`Kommo (${s.kommo.length}, ${sum.kommoWrites} writes)`, 'story-kommo', h('div', {}, kommo), true),
      block(`Entities (${entities.length})`, 'story-entities', h('ul', {}, entities), true),
    );
  }

  async function openInEditor(linkedid: string, index: number, hook: string): Promise<void> {
    const r = await api<{ hook: string }>('POST', `/api/calls/${encodeURIComponent(linkedid)}/open`, { index });
    if (!r.ok) {
      status.textContent = describe(r.error);
      return;
    }
    o.openHook(hook);
  }

  search.addEventListener('click', () => void load());
  number.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') void load();
  });
  dry.addEventListener('click', () => void runDryRun(dryOut, Number(dryLimit.value) || 200));
  return {
    active(on: boolean) {
      if (on) void load();
    },
  };
}
