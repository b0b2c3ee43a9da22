/**
 * The Status tab: GET /api/status as counters, and a uPlot chart of `series` per hour when the status has one.
 * The status shape grows with the engine (ami, kommo, calls, outbox, hooks, series…), so this renders whatever
 * is there: every leaf number, boolean or short string becomes a counter named by its path.
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

/** Leaves of the status object as [path, value], series excluded (it is charted). */
function leaves(v: unknown, path: string[] = []): [string, string][] {
  if (v === null || v === undefined) return [[path.join('.'), '—']];
  if (typeof v === 'boolean') return [[path.join('.'), v ? 'yes' : 'no']];
  if (typeof v === 'number') return [[path.join('.'), Number.isInteger(v) ? String(v) : v.toFixed(2)]];
  if (typeof v === 'string') return [[path.join('.'), v.length > 60 ? `${v.slice(0, 60)}…` : v]];
  if (Array.isArray(v)) return [[path.join('.'), `${v.length} items`]];
  if (typeof v === 'object') return Object.entries(v).filter(([k]) => !(path.length === 0 && k === 'series')).flatMap(([k, x]) => leaves(x, [...path, k]));
  return [];
}

function isSeries(v: unknown): v is Series {
  return !!v && typeof v === 'object' && Array.isArray((v as Series).hours) && (v as Series).hours.length > 0;
}

export function createStatusView(root: HTMLElement) {
  const counters = h('div.counters#status-counters', { 'data-testid': 'status-counters' });
  const chartEl = h('div#status-chart', { 'data-testid': 'status-chart', hidden: true });
  const note = h('p#status-note.muted');
  root.append(h('h2', {}, 'Status'), note, counters, chartEl);
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
    clear(counters, leaves(r.body).map(([k, v]) => h('div.counter', { 'data-key': k }, h('div.label', {}, k), h('div.value', {}, v))));
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
