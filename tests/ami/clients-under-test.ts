/**
 * The two AMI clients the conformance suite runs against, behind one small shape: ours (engine/ami,
 * node:net) and asterisk-ami-client 1.1.5 configured as well as it can be (reconnect forever-ish, keepalive
 * on). The suite marks the library's known faults `it.fails`, so a fixed library would show up as a failure.
 */
import { createRequire } from 'node:module';
import type { AmiMessage } from '../../ami-wire/index.ts';
import { connectAmi } from '../../engine/ami/index.ts';
import type { Pbx } from '../../sim/pbx/index.ts';

export interface Timings {
  loginTimeoutMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

export interface ClientUnderTest {
  /** Events received, in order. */
  readonly events: AmiMessage[];
  action(msg: Record<string, string>): Promise<{ ok: true; response: AmiMessage } | { ok: false; error: string }>;
  close(): Promise<void>;
}

export type ClientKind = 'hookline' | 'asterisk-ami-client';

export function startClient(kind: ClientKind, pbx: Pbx, t: Timings): ClientUnderTest {
  return kind === 'hookline' ? startOurs(pbx, t) : startLibrary(pbx, t);
}

function startOurs(pbx: Pbx, t: Timings): ClientUnderTest {
  const events: AmiMessage[] = [];
  const client = connectAmi({
    host: pbx.host,
    port: pbx.port,
    username: 'hookline',
    secret: 'hookline',
    loginTimeoutMs: t.loginTimeoutMs,
    pingIntervalMs: t.pingIntervalMs,
    pingTimeoutMs: t.pingTimeoutMs,
    resyncOnConnect: false,
    backoff: { initialMs: 20, maxMs: 200 },
  });
  client.on('message', (m) => events.push(m));
  return {
    events,
    async action(msg) {
      const r = await client.action(msg, { timeoutMs: 2000 });
      return r.ok ? { ok: true, response: r.value.response } : { ok: false, error: r.error.code };
    },
    close: () => client.close(),
  };
}

interface LibraryClient {
  on(name: string, fn: (arg: any) => void): LibraryClient;
  connect(user: string, secret: string, options: { host: string; port: number }): Promise<unknown>;
  action(msg: Record<string, string>, promisable: true): Promise<AmiMessage>;
  disconnect(): LibraryClient;
  _connection: { removeAllListeners: () => unknown } | null;
}

function startLibrary(pbx: Pbx, t: Timings): ClientUnderTest {
  const require = createRequire(import.meta.url);
  const AmiClient = require('asterisk-ami-client') as new (options: Record<string, unknown>) => LibraryClient;
  const events: AmiMessage[] = [];
  const client = new AmiClient({
    reconnect: true,
    // bounded so that a test's leftover retries stop soon after the server closes
    maxAttemptsCount: 30,
    attemptsDelay: 20,
    keepAlive: true,
    keepAliveDelay: t.pingIntervalMs,
    emitEventsByTypes: false,
  });
  client.on('event', (e: AmiMessage) => events.push(e));
  client.on('internalError', () => {});
  client.connect('hookline', 'hookline', { host: pbx.host, port: pbx.port }).catch(() => {});
  return {
    events,
    async action(msg) {
      try {
        const response = await client.action({ ...msg }, true);
        return { ok: true, response };
      } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    },
    async close() {
      // disconnect() calls setTimeout(this._connection.removeAllListeners, 1) unbound, which throws in a
      // timer (an uncaught TypeError); bind it first.
      const c = client._connection;
      if (c) c.removeAllListeners = c.removeAllListeners.bind(c);
      client.disconnect();
    },
  };
}
