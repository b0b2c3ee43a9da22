/** A sim/pbx and our AMI client connected to it, closed after each test; recorders for the client's events. */
import { afterEach } from 'vitest';
import { connectAmi, type AmiClient, type AmiClientEvents, type AmiClientOptions } from '../../engine/ami/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { startPbx, type Pbx, type StartPbxOptions } from '../../sim/pbx/index.ts';
import { waitFor } from '../sim-pbx/helpers.ts';

export { waitFor };

export interface Harness {
  pbx: Pbx;
  client: AmiClient;
  seen: { [K in keyof AmiClientEvents]: AmiClientEvents[K][] };
  logLines: () => Record<string, unknown>[];
}

export function useAmi(): (pbxOptions?: StartPbxOptions, clientOptions?: Partial<AmiClientOptions>) => Promise<Harness> {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) {
      await h.client.close();
      await h.pbx.close();
    }
  });
  return async (pbxOptions = {}, clientOptions = {}) => {
    const pbx = await startPbx({ loginFailureDelayMs: 20, ...pbxOptions });
    const { log, lines } = createMemoryLogger('debug');
    const client = connectAmi({
      host: pbx.host,
      port: pbx.port,
      username: 'hookline',
      secret: 'hookline',
      loginTimeoutMs: 500,
      pingIntervalMs: 0,
      backoff: { initialMs: 10, maxMs: 100 },
      resyncOnConnect: false,
      logger: log,
      ...clientOptions,
    });
    const seen: Harness['seen'] = { message: [], connected: [], disconnected: [], problem: [], resync: [] };
    for (const k of Object.keys(seen) as (keyof AmiClientEvents)[]) client.on(k, (x: unknown) => (seen[k] as unknown[]).push(x));
    const h = { pbx, client, seen, logLines: lines };
    open.push(h);
    return h;
  };
}
