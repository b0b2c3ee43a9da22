/** Messages between the engine and the sandbox child, behind one switch on each side. */
import type { RawLimits, RawResult, RawRunOptions, RunnableScript } from './raw.ts';

export type HostMessage =
  | { type: 'host:run'; id: number; script: RunnableScript; inputJson: string; limits: RawLimits; opts: RawRunOptions }
  | { type: 'host:warm'; id: number; script: RunnableScript; limits: RawLimits };

export type ChildMessage =
  | { type: 'sandbox:ready' }
  | { type: 'sandbox:result'; id: number; result: RawResult }
  | { type: 'sandbox:warmed'; id: number };
