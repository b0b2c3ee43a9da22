/**
 * Where calls rebuilt from CEL go in the running service: the engine's own stage decisions (so scripts run as
 * for a live call), `toRegistration`, the registrar (outbox first) — and what the outbox already knows is skipped.
 */
import type { Config } from '../config/index.ts';
import { trackerConfig, type Engine } from '../engine/index.ts';
import { notRegisteredReason, toRegistration } from '../engine/registrar/index.ts';
import type { Logger } from '../log/index.ts';
import { celZone } from './open.ts';
import type { PeriodTarget } from './period.ts';

export function engineTarget(engine: Pick<Engine, 'outbox' | 'registrar' | 'stages'>, config: Config, log: Logger, observe?: PeriodTarget['observe']): PeriodTarget {
  return {
    ...(observe ? { observe } : {}),
    zones: { cel: celZone(config), pbx: config.pbx.timezone },
    tracker: trackerConfig(config.pbx, config.users),
    stages: engine.stages,
    log,
    known: (linkedid) => engine.outbox.knows(linkedid),
    recordSince: () => engine.outbox.rememberedSince(),
    async submit(call) {
      const registration = toRegistration(call);
      if (!registration) return 'skipped';
      return (await engine.registrar.submit(registration)) ? 'queued' : 'known';
    },
  };
}

/** --dry-run: why a rebuilt call would not be written, or null when it would. */
export const whyNotWritten = notRegisteredReason;
