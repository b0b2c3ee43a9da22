/** One AMI connection to the simulated PBX: banner, reading actions as Asterisk does, writing answers. */
import type { Socket } from 'node:net';
import { AmiParser, type AmiMessage } from '../../ami-wire/index.ts';
import type { PbxClientInfo } from './types.ts';

/** Asterisk reads at most 1024 bytes per line and 128 headers per action (manager.c get_input, AST_MAX_MANHEADERS). */
const MAX_ACTION_LINE = 1024;
const MAX_ACTION_HEADERS = 128;

export interface SessionHooks {
  onAction(session: Session, action: AmiMessage): void;
  onParseError(session: Session, message: string): void;
  onClose(session: Session): void;
}

export class Session {
  readonly id: number;
  readonly socket: Socket;
  authenticated = false;
  username: string | undefined;
  eventsOn = true;
  stalled = false;
  /** Silent: nothing is written, nothing read (a server that accepts TCP and never answers). */
  silent = false;
  /** Login arrives and is never answered. */
  ignoreLogin = false;
  challenge: string | undefined;
  private readonly parser = new AmiParser({ requiredKeys: [], bareLf: 'line-end', maxLineLength: MAX_ACTION_LINE, maxHeaders: MAX_ACTION_HEADERS });
  private closed = false;

  constructor(id: number, socket: Socket, hooks: SessionHooks) {
    this.id = id;
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.silent || this.stalled || this.closed) return;
      const { messages, problems } = this.parser.push(chunk);
      for (const p of problems) {
        if (p.code === 'AMI_LINE_TOO_LONG') hooks.onParseError(this, 'Failed to parse message: line too long');
        else if (p.code === 'AMI_BLOCK_TOO_LARGE') hooks.onParseError(this, 'Too many lines in message or allocation failure');
      }
      for (const m of messages) {
        if (this.closed || this.stalled) break;
        hooks.onAction(this, m);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      hooks.onClose(this);
    });
  }

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  /** Write unless silent, stalled or closed; resolves when the socket can take more (drain). */
  write(data: string | Buffer): Promise<void> {
    if (this.silent || this.stalled || !this.isOpen) return Promise.resolve();
    const ok = this.socket.write(data);
    if (ok) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Write then close, as Asterisk does after Logoff and a failed Login. */
  endWith(data: string): void {
    if (!this.isOpen) return;
    this.socket.end(data);
    setTimeout(() => this.socket.destroy(), 200).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  info(): PbxClientInfo {
    return {
      id: this.id,
      authenticated: this.authenticated,
      username: this.username,
      remotePort: this.socket.remotePort ?? 0,
      eventsOn: this.eventsOn,
      stalled: this.stalled,
    };
  }
}
