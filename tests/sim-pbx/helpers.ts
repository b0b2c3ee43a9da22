/** A raw TCP client for testing sim/pbx byte by byte, and a bounded wait. */
import { connect, type Socket } from 'node:net';
import { parseAmi, type AmiMessage } from '../../ami-wire/index.ts';

export async function waitFor(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface RawClient {
  socket: Socket;
  /** Every byte received so far. */
  bytes(): Buffer;
  text(): string;
  /** Blocks received so far, parsed (the banner is left out). */
  messages(): AmiMessage[];
  closed(): boolean;
  send(text: string): void;
  /** Wait until the received text contains `s` (from `from` on). */
  until(s: string, from?: number): Promise<void>;
  close(): void;
}

export async function rawClient(port: number): Promise<RawClient> {
  const chunks: Buffer[] = [];
  let isClosed = false;
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('close', () => (isClosed = true));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const bytes = () => Buffer.concat(chunks);
  const text = () => bytes().toString('utf8');
  return {
    socket,
    bytes,
    text,
    messages: () => parseAmi(text().replace(/^Asterisk Call Manager\/[^\r]*\r\n/, '')).messages,
    closed: () => isClosed,
    send: (t) => void socket.write(t),
    until: (s, from = 0) => waitFor(() => text().indexOf(s, from) !== -1, JSON.stringify(s)),
    close: () => socket.destroy(),
  };
}

export const LOGIN = 'Action: Login\r\nActionID: L1\r\nUsername: hookline\r\nSecret: hookline\r\n\r\n';
export const LOGIN_OK = 'Response: Success\r\nActionID: L1\r\nMessage: Authentication accepted\r\n\r\n';
