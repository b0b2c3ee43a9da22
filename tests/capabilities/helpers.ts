/** Test helpers: loopback HTTP receivers that log what reached them, and a hook invoked with a capability session. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hooks, type HookName } from '../../contracts/index.ts';
import type { CapabilityHost, CapabilityMode, CapabilitySession } from '../../capabilities/index.ts';
import type { InvocationResult, Runner } from '../../sandbox/index.ts';
import { script } from '../sandbox/helpers.ts';

export interface Received {
  method: string;
  url: string;
  body: string;
  at: number;
}

export interface Receiver {
  port: number;
  base: string;
  received: Received[];
  /** Connections the server saw closed before its answer ended (a client that gave up). */
  abandoned: () => number;
  /** Connections open now. */
  open: () => number;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, body: string, r: Receiver) => void;

/** A loopback receiver; `routes` by path (without query), else 200 with a JSON echo. */
export async function startReceiver(routes: Record<string, Route> = {}, host = '127.0.0.1'): Promise<Receiver> {
  let abandoned = 0;
  const received: Received[] = [];
  const r = { received, abandoned: () => abandoned } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', body, at: Date.now() });
      res.on('close', () => {
        if (!res.writableFinished) abandoned++;
      });
      const route = routes[(req.url ?? '').split('?')[0] as string];
      if (route) route(req, res, body, r);
      else {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      }
    });
  });
  let open = 0;
  server.on('connection', (sock) => {
    open++;
    sock.once('close', () => open--);
  });
  r.open = () => open;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  r.port = (server.address() as AddressInfo).port;
  r.base = `http://${host}:${r.port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

export interface Invoked {
  r: InvocationResult;
  session: CapabilitySession;
}

/** Invokes `source` for `hook` with a fresh session of `caps` (live unless `mode` says otherwise). */
export async function invokeWith(runner: Runner, caps: CapabilityHost, hook: HookName, source: string, o: { mode?: CapabilityMode; timeoutMs?: number; input?: unknown } = {}): Promise<Invoked> {
  const timeoutMs = o.timeoutMs ?? 2_000;
  const session = caps.session({ hook, linkedid: 'test.1', timeoutMs, ...(o.mode ? { mode: o.mode } : {}) });
  const r = await runner.invoke(hook, await script(hook, source), o.input ?? structuredClone(hooks[hook].exampleInput), { host: session, limits: { timeoutMs } });
  return { r, session };
}

/** A post_registration script whose body runs `code` (with `input` in scope) and logs what it returns as JSON. */
export const postScript = (code: string) => `export default async function (input: HookInput): Promise<HookResult> {
  const out = await (async () => { ${code} })();
  console.log('OUT ' + JSON.stringify(out));
  return { state: 'success' };
}`;

/** The value the script logged with postScript. */
export function outOf(r: InvocationResult): unknown {
  const line = r.logs.find((l) => l.text.startsWith('OUT '));
  return line ? JSON.parse(line.text.slice(4)) : undefined;
}

/** A script that catches the call's error and logs its code and message. */
export const catching = (call: string) => postScript(`try { const x = await (${call}); return { ok: true, x }; } catch (e) { return { ok: false, code: e.code, message: e.message }; }`);
