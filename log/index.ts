/**
 * Structured logs (pino): JSON lines, one object per event. Every line about a call carries `linkedid`;
 * hook failures carry `hook`, `version` and `code`. Modules take a Logger and make children for context:
 * `log.child({ module: 'ami' })`.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Where lines go; default stdout. Tests pass a stream that records the lines. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = { level: opts.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}

/** A logger that drops everything: the default where a caller passes none. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** A logger that keeps its lines in memory, for tests that assert what was logged. */
export function createMemoryLogger(level: LoggerOptions['level'] = 'debug'): { log: Logger; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write(chunk: string) {
      for (const l of chunk.split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      return true;
    },
  };
  return { log: createLogger({ level, destination: destination as unknown as NodeJS.WritableStream }), lines: () => lines };
}
