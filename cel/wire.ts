/** The catch-up as the service runs it (app/service.ts): the configured source, the engine as the target. */
import type { Config } from '../config/index.ts';
import type { Engine } from '../engine/index.ts';
import type { Logger } from '../log/index.ts';
import { startCatchUp, type CatchUp } from './catch-up.ts';
import { engineTarget } from './engine-target.ts';
import type { PeriodTarget } from './period.ts';
import { celZone, openCelSource } from './open.ts';
import { createReprocessor, type Reprocessor } from './reprocess.ts';
import { reprocessRoutes } from './routes.ts';
import type { RouteModule } from '../http/index.ts';
import { whyNotWritten } from './engine-target.ts';

/** null without a cel section, or with catchUp.enabled false. */
export function startEngineCatchUp(config: Config, engine: Engine, dataDir: string, log: Logger, observe?: PeriodTarget['observe']): CatchUp | null {
  const c = config.cel;
  if (!c || !c.catchUp.enabled) return null;
  const source = openCelSource(config);
  if (!source) return null;
  const catchUp = startCatchUp({
    source, target: engineTarget(engine, config, log, observe), ami: engine.ami, connected: () => engine.amiState().connected, dataDir, log,
    settings: { overlapMs: c.catchUp.overlapMs, maxGapHours: c.catchUp.maxGapHours, delayMs: c.catchUp.delayMs },
  });
  return {
    status: () => catchUp.status(),
    idle: () => catchUp.idle(),
    async close() {
      await catchUp.close();
      await source.close();
    },
  };
}

/** `hookline reprocess` and the editor's reprocess in the service: the reprocessor (null without cel) and its routes. */
export function startEngineReprocess(config: Config, engine: Engine, dataDir: string, log: Logger, observe?: PeriodTarget['observe']): { reprocessor: Reprocessor | null; route: RouteModule; close(): Promise<void> } {
  const source = openCelSource(config);
  const reprocessor = source ? createReprocessor({ source, target: { ...engineTarget(engine, config, log, observe), describe: whyNotWritten }, dataDir, log }) : null;
  return {
    reprocessor,
    route: reprocessRoutes(reprocessor, celZone(config)),
    async close() {
      await reprocessor?.close();
      await source?.close();
    },
  };
}
