/**
 * The editor's address, tried before hookline touches anything: EDITOR_LISTEN_FAILED says "nothing was changed",
 * which is only true if the port is known to be free before the data folder is created and the demo PBX, the
 * Kommo emulator and the AMI login start. A probe binds host:port and lets go at once; the real listen comes
 * last, so a program taking the port in between is still caught there (and said to have come late).
 */
import { createServer } from 'node:net';

export interface ListenRefusal {
  errno: string;
  message: string;
}

/** null when host:port can be listened on now (port 0 always can), else why not. */
export function probeListen(host: string, port: number): Promise<ListenRefusal | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve({ errno: e.code ?? 'UNKNOWN', message: e.message }));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** The errors of listen() that EDITOR_LISTEN_FAILED explains; any other is a bug to report as it is. */
export const LISTEN_ERRNOS: ReadonlySet<string> = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES']);
