import { DEFAULT_LIMITS, HOOK_NAMES, type HookLimits, type HookName } from './contract.ts';
import { hooks } from './hooks/index.ts';

const names: ReadonlySet<string> = new Set(HOOK_NAMES);

export function isHookName(x: unknown): x is HookName {
  return typeof x === 'string' && names.has(x);
}

/** The hook's limits: its contract's defaults, overridden by the config's `hooks.<hook>` where given. */
export function limitsFor(hook: HookName, overrides?: Partial<HookLimits>): HookLimits {
  const base = hooks[hook].limits ?? DEFAULT_LIMITS;
  return {
    timeoutMs: overrides?.timeoutMs ?? base.timeoutMs,
    memoryMb: overrides?.memoryMb ?? base.memoryMb,
    maxOutputBytes: overrides?.maxOutputBytes ?? base.maxOutputBytes,
  };
}
