/**
 * The Status tab: GET /api/status as counters, and a uPlot chart of `series` per hour when the status has one.
 * The status shape grows with the engine (ami, kommo, calls, outbox, hooks, series…), so this renders whatever
 * is there: each section's leaves (numbers, yes/no, short strings, times) become counters named by their path,
 * `hooks` becomes a table with a row per hook, and a missing part is simply not shown.
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
const isTime = (key: string, v: number) => /(At|since|time)$/i.test(key) && v > 1e12;

function show(key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return isTime(key, v) ? new Date(v).toLocaleString() : Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'string') return v.length > 60 ? `${v.slice(0, 60)}…` : v;
  if (Array.isArray(v)) return `${v.length} items`;
  return '';
}

/** Leaves of a value as [path, shown value]. */
function leaves(v: unknown, path: string[] = []): [string, string][] {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v);
    return entries.length ? entries.flatMap(([k, x]) => leaves(x, [...path, k])) : [[path.join('.'), '—']];
  }
  return [[path.join('.'), show(path.at(-1) ?? '', v)]];
}

/** Something keyed by hook name (status.hooks): one table row per hook rather than a hundred counters. */
function hookTable(v: Record<string, unknown>): HTMLElement {
  const rows = Object.entries(v).map(([hook, x]) => [hook, new Map(leaves(x))] as const);
  const columns = [...new Set(rows.flatMap(([, m]) => [...m.keys()]))];
  return h('table#status-hooks', { 'data-testid': 'status-hooks' },
    h('thead', {}, h('tr', {}, h('th', {}, 'hook'), columns.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map(([hook, m]) => h('tr', { 'data-hook': hook }, h('td', {}, hook), columns.map((c) => h('td', {}, m.get(c) ?? ''))))));
}

/** Counters per top-level section (ami, kommo, calls, outbox…), top-level scalars under "hookline". */
function sections(status: Record<string, unknown>): HTMLElement[] {
  const out: HTMLElement[] = [];
  const scalars: [string, unknown][] = [];
  for (const [k, v] of Object.entries(status)) {
    if (k === 'series') continue;
    if (k === 'hooks' && v && typeof v === 'object' && !Array.isArray(v)) out.push(h('h3', {}, 'hooks'), hookTable(v as Record<string, unknown>));
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push(h('h3', {}, k), counterGrid(leaves(v, [k])));
    else scalars.push([k, v]);
  }
  if (scalars.length) out.unshift(h('h3', {}, 'hookline'), counterGrid(scalars.map(([k, v]) => [k, show(k, v)])));
  return out;
}

const counterGrid = (items: [string, string][]) =>
  h('div.counters', {}, items.map(([k, v]) => h('div.counter', { 'data-key': k }, h('div.label', {}, k.replace(/^[^.]+\./, '')), h('div.value', {}, v))));

function isSeries(v: unknown): v is Series {
  return !!v && typeof v === 'object' && Array.isArray((v as Series).hours) && (v as Series).hours.length > 0;
}

export function createStatusView(root: HTMLElement) {
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
        title: 'per hour',
        width: Math.max(400, chartEl.clientWidth - 20 || root.clientWidth - 60),
        height: 260,
        series: [{}, ...names.map((n, i) => ({ label: n, stroke: colors[i % colors.length], width: 2 }))],
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
    clear(counters, sections(r.body));
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
