/** The catch-up as the service runs it (app/service.ts): the configured source, the engine as the target. */
import type { Config } from '../config/index.ts';
import type { Engine } from '../engine/index.ts';
import type { Logger } from '../log/index.ts';
import { startCatchUp, type CatchUp } from './catch-up.ts';
import { engineTarget } from './engine-target.ts';
import { openCelSource } from './open.ts';

/** null without a cel section, or with catchUp.enabled false. */
export function startEngineCatchUp(config: Config, engine: Engine, dataDir: string, log: Logger): CatchUp | null {
  const c = config.cel;
  if (!c || !c.catchUp.enabled) return null;
  const source = openCelSource(config);
  if (!source) return null;
  const catchUp = startCatchUp({
    source, target: engineTarget(engine, config, log), ami: engine.ami, connected: () => engine.amiState().connected, dataDir, log,
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
