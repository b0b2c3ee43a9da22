/** The stage hooks as the engine runs them with an empty store: no filters, default scripts, numbers as they are. */
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createPhoneNormalizer } from '../../engine/phone/index.ts';
import { silentLogger } from '../../log/index.ts';
import type { Runner } from '../../sandbox/index.ts';

export function defaultStages(runner: Runner) {
  return {
    filters: {},
    normalizePhone: createPhoneNormalizer({ defaultCountry: 'RU', replacements: [], format: 'asis' }),
    hooks: createHookInvoker({ runner, scripts: { published: () => null }, log: silentLogger }),
  };
}
