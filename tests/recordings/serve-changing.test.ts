/**
 * A recording that changes while it is being served (an operator's cleanup job truncating it, a re-recording
 * rewriting it in place): the response promised Content-Length bytes of the file as it was when the request
 * started. If fewer bytes exist by the time they are read, the response must not look complete, and the
 * keep-alive connection must not be reused: the next response on it would be read as the rest of this body.
 * Real editor server on loopback, a raw socket as the client so the bytes on the wire are what is checked.
 */
import { connect, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HookInvoker } from '../../engine/hooks/index.ts';
import { createRecordings } from '../../engine/recordings/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { createRunner, startHost, type Host } from '../autodistribution/host.ts';

const SECRET = 'k'.repeat(32);
const SIZE = 32 * 1024 * 1024; // far more than loopback socket buffers hold while the client reads nothing

let dir: string;
let file: string;
let runner: Runner;
let host: Host;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-rec-change-'));
  const monitor = join(dir, 'monitor');
  mkdirSync(monitor);
  file = join(monitor, 'in-101.wav');
  writeFileSync(file, Buffer.alloc(SIZE, 7));
  // The link is made with linkToFile: no hook runs.
  const invoker: HookInvoker = { invoke: () => Promise.reject(new Error('linkToFile runs no hook')) };
  runner = createRunner();
  const serving = createRecordings({ dir: monitor, dataDir: join(dir, 'data'), secret: SECRET, invoker });
  host = await startHost(runner, [serving.route]);
  const linking = createRecordings({ dir: monitor, dataDir: join(dir, 'data'), secret: SECRET, invoker, publicBaseUrl: host.editor.url });
  url = (await linking.linkToFile(file)) as string;
  await Promise.all([serving.close(), linking.close()]);
});
afterAll(async () => {
  await host.close();
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a file truncated while it is sent ends the connection short of Content-Length, never a reusable keep-alive connection', async () => {
  const u = new URL(url);
  const socket: Socket = connect(Number(u.port), u.hostname);
  let received = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => undefined);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.pause(); // the client reads nothing yet: the server fills the socket's buffers and waits
  socket.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: keep-alive\r\n\r\n`);
  await sleep(300);
  truncateSync(file, 1000);
  socket.resume();
  for (let i = 0; i < 60 && !closed; i++) await sleep(50);

  const headEnd = received.indexOf('\r\n\r\n');
  expect(headEnd).toBeGreaterThan(0);
  const head = received.subarray(0, headEnd).toString('latin1');
  expect(head).toMatch(/^HTTP\/1\.1 200 /);
  expect(Number(/content-length: (\d+)/i.exec(head)?.[1])).toBe(SIZE);
  const bodyBytes = received.length - headEnd - 4;
  expect(bodyBytes).toBeLessThan(SIZE);
  // The server ended the connection: the client knows the body is incomplete and reuses nothing.
  expect(closed).toBe(true);
  socket.destroy();
});

it('a download resumed with If-Range after the file changed gets the whole new file (200), not a range of it spliced onto the old bytes', async () => {
  writeFileSync(file, Buffer.alloc(4000, 1));
  utimesSync(file, new Date('2020-01-01T10:00:00Z'), new Date('2020-01-01T10:00:00Z'));
  const first = await fetch(url, { headers: { range: 'bytes=0-999' } });
  expect(first.status).toBe(206);
  const validator = first.headers.get('last-modified') as string;
  expect(validator).toBe('Wed, 01 Jan 2020 10:00:00 GMT');
  await first.arrayBuffer();

  // Unchanged: the range is answered.
  const same = await fetch(url, { headers: { range: 'bytes=1000-', 'if-range': validator } });
  expect(same.status).toBe(206);
  expect(same.headers.get('content-range')).toBe('bytes 1000-3999/4000');
  await same.arrayBuffer();

  // Rewritten (another recording under the same name): the client's bytes 0-999 are of the old file.
  writeFileSync(file, Buffer.alloc(5000, 2));
  utimesSync(file, new Date('2020-01-02T10:00:00Z'), new Date('2020-01-02T10:00:00Z'));
  const resumed = await fetch(url, { headers: { range: 'bytes=1000-', 'if-range': validator } });
  expect(resumed.status).toBe(200);
  expect(resumed.headers.get('content-range')).toBeNull();
  const body = Buffer.from(await resumed.arrayBuffer());
  expect(body.equals(Buffer.alloc(5000, 2))).toBe(true);

  // An entity tag: hookline gives none out, so it never matches.
  const tagged = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"abc"' } });
  expect(tagged.status).toBe(200);
  expect((await tagged.arrayBuffer()).byteLength).toBe(5000);
});
