/**
 * The Status tab, for a person: GET /api/status in sections with plain names (hookline, Asterisk connection,
 * Kommo, calls, outbox), each counter named in words with its unit and times in the browser's local time; a row
 * per hook (invocations, failures, p95, the live version, and "quarantined until" when set), each linking to that
 * hook in the Hooks tab; and a uPlot chart of `series` per hour when the status has one. The status shape grows
 * with the engine, so a leaf this page does not know is still shown, named by its path, and a missing part is
 * simply not shown. Each counter keeps its path as `data-key` (what the tests read).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, describe } from './api.ts';
import { clear, h } from './dom.ts';

const REFRESH_MS = 5_000;

interface Series {
  hours: number[];
  [name: string]: number[];
}

/** Epoch-ms times (startedAt, since, checkedAt…) are shown as times, not as 13-digit numbers. */
const isTime = (key: string, v: number) => /(At|since|time|until)$/i.test(key) && v > 1e12;
const localTime = (ms: number) => new Date(ms).toLocaleString();

function show(key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return isTime(key, v) ? localTime(v) : Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'string') return v.length > 60 ? `${v.slice(0, 60)}…` : v;
  if (Array.isArray(v)) return `${v.length} items`;
  return '';
}

/** How long ago (or for how long), in words: "3 h 12 min". */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs} h ${m % 60} min`;
  return `${Math.floor(hrs / 24)} days ${hrs % 24} h`;
}

/** Leaves of a value as [path, value]. */
function leaves(v: unknown, path: string[] = []): [string, unknown][] {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v);
    return entries.length ? entries.flatMap(([k, x]) => leaves(x, [...path, k])) : [[path.join('.'), null]];
  }
  return [[path.join('.'), v]];
}

/** Plain names for the sections and counters this page knows; anything else is shown by its path. */
const SECTIONS: Record<string, string> = { ami: 'Asterisk connection', kommo: 'Kommo', calls: 'Calls', outbox: 'Outbox', registrar: 'Registration', celCatchUp: 'Last catch-up from CEL (calls that ended while hookline was not following)' };
type Known = { label: string; value?: (v: unknown, status: Record<string, unknown>) => string; hint?: string };
const count = (unit: string) => (v: unknown) => (typeof v === 'number' ? `${v} ${unit}` : show('', v));
const KNOWN: Record<string, Known> = {
  'ami.connected': { label: 'Connected to Asterisk (AMI)' },
  'ami.since': { label: 'Since', hint: 'When the connection last came up or went down, local time' },
  'kommo.reachable': { label: 'Kommo answers' },
  'kommo.phoneField.ok': { label: 'Phone field found' },
  'kommo.phoneField.detail': { label: 'Phone field' },
  'kommo.rateLimit.used': { label: 'Requests in use', value: (v, st) => {
    const limit = ((st.kommo as { rateLimit?: { limit?: unknown } } | undefined)?.rateLimit?.limit);
    return typeof v === 'number' && typeof limit === 'number' ? `${v} of ${limit}` : show('', v);
  } },
  'kommo.rateLimit.limit': { label: 'Request limit' },
  'kommo.checkedAt': { label: 'Last checked' },
  'calls.inFlight': { label: 'In progress now', value: count('calls') },
  'calls.registered': { label: 'Registered since start', hint: 'calls logged in Kommo' },
  'calls.failed': { label: 'Failed since start', hint: 'calls that could not be logged in Kommo' },
  'calls.lastHour.registered': { label: 'Registered, last hour' },
  'calls.lastHour.failed': { label: 'Failed, last hour' },
  'calls.lastDay.registered': { label: 'Registered, last 24 h' },
  'calls.lastDay.failed': { label: 'Failed, last 24 h' },
  'outbox.depth': { label: 'Waiting to be sent to Kommo', value: count('writes') },
  // The local index of the account's phones (issue 20): a client found there costs Kommo no search.
  'registrar.phoneIndex.ready': { label: 'Phone index ready', hint: 'Calls are searched for in Kommo until the index is read' },
  'registrar.phoneIndex.contacts': { label: 'Phone index: contacts', value: count('contacts') },
  'registrar.phoneIndex.companies': { label: 'Phone index: companies', value: count('companies') },
  'registrar.phoneIndex.builtAt': { label: 'Phone index read whole' },
  'registrar.phoneIndex.refreshedAt': { label: 'Phone index last refreshed', hint: 'When what changed in Kommo was last read' },
  'registrar.phoneIndex.ageMs': { label: 'Phone index age', value: (v) => (typeof v === 'number' ? duration(v) : show('', v)) },
  'registrar.phoneIndex.hits': { label: 'Clients found in the index', value: count('calls') },
  'registrar.phoneIndex.missesConfirmed': { label: 'Misses confirmed by a search', value: count('calls'), hint: 'A number not in the index is searched for in Kommo once before a contact is created' },
  'registrar.phoneIndex.missesFound': { label: 'Misses Kommo knew', value: count('calls'), hint: 'The search found a client the index had not read yet (a manager added it)' },
  'registrar.phoneIndex.dropped': { label: 'Dropped from the index', value: count('entities'), hint: 'Kommo refused a write for them: deleted or merged since' },
  'registrar.phoneIndex.lastError': { label: 'Phone index problem' },
  startedAt: { label: 'Started', value: (v) => (typeof v === 'number' ? `${localTime(v)} (up ${duration(Date.now() - v)})` : show('', v)) },
  at: { label: 'Status taken' },
};
/** The ones each counter's own value says already (limit is in "N of M"). */
const HIDDEN = new Set(['kommo.rateLimit.limit']);

function counter(path: string, v: unknown, status: Record<string, unknown>): HTMLElement | null {
  if (HIDDEN.has(path) && typeof (status.kommo as { rateLimit?: { used?: unknown } } | undefined)?.rateLimit?.used === 'number') return null;
  const k = KNOWN[path];
  const key = path.split('.').at(-1) ?? '';
  const value = k?.value ? k.value(v, status) : show(key, v);
  return h('div.counter', { 'data-key': path, title: k?.hint ?? path }, h('div.label', {}, k?.label ?? path.replace(/^[^.]+\./, '')), h('div.value', {}, value));
}

const counterGrid = (items: (HTMLElement | null)[]) => h('div.counters', {}, items);

interface HookRowStatus {
  invocations?: number;
  failures?: Record<string, number> | number;
  p95Ms?: number | null;
  publishedVersion?: number | null;
  lastVersion?: number | string | null;
  quarantine?: { version: number | string; reason: string; failures: number; until: number } | null;
}

/** The hooks: one row each (invocations, failures, p95, the live version, quarantine), the name a link to it. */
function hookTable(v: Record<string, HookRowStatus>, openHook: (hook: string) => void): HTMLElement {
  const rows = Object.entries(v).filter(([, x]) => x && typeof x === 'object');
  const has = (f: (x: HookRowStatus) => boolean) => rows.some(([, x]) => f(x));
  const failures = (x: HookRowStatus) => (typeof x.failures === 'number' ? x.failures : Object.values(x.failures ?? {}).reduce((a, b) => a + b, 0));
  const live = (x: HookRowStatus) => {
    const version = x.publishedVersion !== undefined ? x.publishedVersion : x.lastVersion;
    return version === null || version === undefined ? 'default' : typeof version === 'number' ? String(version) : version;
  };
  // A column is shown when the status has it for some hook (an older or test status may not have p95 or quarantine).
  const columns: { title: string; hint: string; cell: (x: HookRowStatus) => HTMLElement }[] = [
    ...(has((x) => x.invocations !== undefined) ? [{ title: 'invocations', hint: 'Times the hook ran since hookline started', cell: (x: HookRowStatus) => h('td.num', {}, show('', x.invocations)) }] : []),
    ...(has((x) => x.failures !== undefined) ? [{ title: 'failures', hint: 'Script failures since start (the default data was used)', cell: (x: HookRowStatus) => h('td.num', { title: typeof x.failures === 'object' ? Object.entries(x.failures).map(([c, n]) => `${c}: ${n}`).join(', ') || 'none' : null }, String(failures(x))) }] : []),
    ...(has((x) => x.p95Ms !== undefined) ? [{ title: 'p95 (ms)', hint: '95% of the last 1024 script runs took at most this long, in milliseconds', cell: (x: HookRowStatus) => h('td.num', {}, typeof x.p95Ms === 'number' ? x.p95Ms.toFixed(1) : '—') }] : []),
    ...(has((x) => x.publishedVersion !== undefined || x.lastVersion !== undefined) ? [{ title: 'live version', hint: 'The published version the next call runs; default: no script is published', cell: (x: HookRowStatus) => h('td', {}, live(x)) }] : []),
    ...(has((x) => !!x.quarantine) ? [{ title: 'quarantine', hint: 'A suspended version does not run until then: the failure policy is used', cell: (x: HookRowStatus) => h('td.error', { 'data-testid': x.quarantine ? 'status-quarantine' : null, title: x.quarantine ? `v${x.quarantine.version}: ${x.quarantine.reason} ${x.quarantine.failures}× in a row` : null }, x.quarantine ? `until ${new Date(x.quarantine.until).toLocaleTimeString()}` : '') }] : []),
  ];
  return h('table#status-hooks', { 'data-testid': 'status-hooks' },
    h('thead', {}, h('tr', {}, h('th', {}, 'hook'), columns.map((c) => h('th', { title: c.hint }, c.title)))),
    h('tbody', {}, rows.map(([hook, x]) => h('tr', { 'data-hook': hook },
      h('td', {}, h('a', { href: `#hook=${hook}`, 'data-testid': 'status-hook-link', title: `Open ${hook} in the Hooks tab`, onclick: (ev: Event) => {
        ev.preventDefault();
        openHook(hook);
      } }, hook)),
      columns.map((c) => c.cell(x))))));
}

interface ShadowStatus { hook: string; active: boolean; since: string; runs: number; same: number; differs: number; failed: number; skipped: { cpu: number; busy: number }; usedMs: number; budgetMs: number; windowMs: number; stopReason: string | null }

/** Shadow runs (issue 17, item 7): a row per hook with a draft in shadow (or the last one ended), linking to it. */
function shadowTable(v: ShadowStatus[], openHook: (hook: string) => void): HTMLElement {
  return h('table#status-shadows', { 'data-testid': 'status-shadows' },
    h('thead', {}, h('tr', {}, ['hook', 'state', 'calls shadowed', 'differ', 'failed', 'not shadowed', 'time used'].map((t) => h('th', {}, t)))),
    h('tbody', {}, v.map((x) => h('tr', { 'data-hook': x.hook },
      h('td', {}, h('a', { href: `#hook=${x.hook}`, onclick: (ev: Event) => {
        ev.preventDefault();
        openHook(x.hook);
      } }, x.hook)),
      h('td', {}, x.active ? `running since ${new Date(x.since).toLocaleTimeString()}` : `ended (${x.stopReason ?? ''})`),
      h('td.num', {}, String(x.runs)), h('td.num', {}, String(x.differs)), h('td.num', {}, String(x.failed)),
      h('td.num', { title: `${x.skipped.cpu} with its time share used up, ${x.skipped.busy} while busy` }, String(x.skipped.cpu + x.skipped.busy)),
      h('td', { title: 'Time its invocations took in the last window, of the most allowed' }, `${x.usedMs} of ${x.budgetMs} ms per ${x.windowMs / 1000} s`)))));
}

/** Counters per top-level section (ami, kommo, calls, outbox…), top-level scalars under "hookline". */
function sections(status: Record<string, unknown>, openHook: (hook: string) => void): HTMLElement[] {
  const out: HTMLElement[] = [];
  const scalars: [string, unknown][] = [];
  for (const [k, v] of Object.entries(status)) {
    if (k === 'series') continue;
    if (k === 'shadows' && Array.isArray(v)) {
      if (v.length) out.push(h('h3', { 'data-section': 'shadows' }, 'Shadow runs'), shadowTable(v as ShadowStatus[], openHook));
      continue;
    }
    if (k === 'hooks' && v && typeof v === 'object' && !Array.isArray(v)) out.push(h('h3', {}, 'Hooks'), hookTable(v as Record<string, HookRowStatus>, openHook));
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push(h('h3', { 'data-section': k }, SECTIONS[k] ?? k), counterGrid(leaves(v, [k]).map(([p, x]) => counter(p, x, status))));
    else scalars.push([k, v]);
  }
  if (scalars.length) out.unshift(h('h3', { 'data-section': 'hookline' }, 'hookline'), counterGrid(scalars.map(([k, v]) => counter(k, v, status))));
  return out;
}

/** The chart's lines in words. */
const SERIES_NAMES: Record<string, string> = { calls: 'calls finished', callsFailed: 'calls failed', failures: 'script failures' };

function isSeries(v: unknown): v is Series {
  return !!v && typeof v === 'object' && Array.isArray((v as Series).hours) && (v as Series).hours.length > 0;
}

export function createStatusView(root: HTMLElement, o: { openHook?: (hook: string) => void } = {}) {
  const counters = h('div#status-counters', { 'data-testid': 'status-counters' });
  const chartEl = h('div#status-chart', { 'data-testid': 'status-chart', hidden: true });
  const note = h('p#status-note.muted');
  root.append(h('h2', {}, 'Status'), note, chartEl, counters);
  let chart: uPlot | null = null;
  let chartKeys = '';
  let timer: ReturnType<typeof setInterval> | null = null;

  function draw(series: Series): void {
    const names = Object.keys(series).filter((k) => k !== 'hours' && Array.isArray(series[k]));
    const data: uPlot.AlignedData = [series.hours.map((t) => t / 1000), ...names.map((n) => series[n] as number[])];
    const key = names.join(',');
    chartEl.hidden = false;
    if (chart && key === chartKeys) {
      chart.setData(data);
      return;
    }
    chart?.destroy();
    chartKeys = key;
    const colors = ['#2357c6', '#b42318', '#1a7f37', '#9a6700', '#6e40c9'];
    chart = new uPlot(
      {
        title: 'Per hour (local time)',
        width: Math.max(400, chartEl.clientWidth - 20 || root.clientWidth - 60),
        height: 260,
        series: [{}, ...names.map((n, i) => ({ label: SERIES_NAMES[n] ?? n, stroke: colors[i % colors.length], width: 2 }))],
        axes: [{}, {}],
      },
      data,
      chartEl,
    );
  }

  async function refresh(): Promise<void> {
    const r = await api<Record<string, unknown>>('GET', '/api/status');
    if (!r.ok) {
      note.textContent = `Status unavailable: ${describe(r.error)}`;
      return;
    }
    note.textContent = `Updated ${new Date().toLocaleTimeString()} · refreshes every ${REFRESH_MS / 1000} s`;
    clear(counters, sections(r.body, o.openHook ?? (() => {})));
    const series = r.body.series;
    if (isSeries(series)) draw(series);
    else {
      chart?.destroy();
      chart = null;
      chartEl.hidden = true;
    }
  }

  return {
    active(on: boolean): void {
      if (timer) clearInterval(timer);
      timer = null;
      if (!on) return;
      void refresh();
      timer = setInterval(() => void refresh(), REFRESH_MS);
    },
    dispose(): void {
      if (timer) clearInterval(timer);
      chart?.destroy();
    },
  };
}
