/**
 * What the crash tests share: the engine as its own process (crash-child.ts), started against the sim/pbx and
 * sim/kommo the test runs, its `submitted` / `registered` / `failed` / `ready` lines collected as they come.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const CHILD = new URL('./crash-child.ts', import.meta.url).pathname;

export interface CrashChildOptions {
  dir: string;
  pbxPort: number;
  kommoUrl: string;
  rateWindowMs: number;
  /** Configuration merged into the child's (e.g. registration.mode). */
  config?: Record<string, unknown>;
}

export interface CrashChild {
  child: ChildProcess;
  seen: { submitted: Set<string>; registered: Set<string>; failed: Set<string>; ready: boolean; text: string };
}

export function startCrashChild(o: CrashChildOptions): CrashChild {
  const child = spawn(process.execPath, ['--no-node-snapshot', CHILD], {
    env: { ...process.env, HOOKLINE_CRASH_CHILD: JSON.stringify(o) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const seen: CrashChild['seen'] = { submitted: new Set<string>(), registered: new Set<string>(), failed: new Set<string>(), ready: false, text: '' };
  child.stdout?.on('data', (b: Buffer) => {
    seen.text += String(b);
    for (const m of String(b).matchAll(/^(submitted|registered|failed) (\S+)$/gm)) seen[m[1] as 'submitted' | 'registered' | 'failed'].add(m[2] as string);
    if (/^ready/m.test(String(b))) seen.ready = true;
  });
  return { child, seen };
}

/** Waits for `cond`, polling every 25 ms; throws naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
