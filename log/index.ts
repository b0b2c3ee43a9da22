/**
 * Structured logs (pino). Every line about a call carries `linkedid`; hook failures carry `hook`, `version` and
 * `code`. Modules take a Logger and make children for context: `log.child({ module: 'ami' })`.
 *
 * Where the lines go decides how they look: on a terminal, one human-readable line per event (pino-pretty,
 * formatted synchronously, coloured unless NO_COLOR is set); anywhere else (a file, a pipe, journald), JSON
 * lines, one object per event. `format` overrides the choice.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import { prettyStream } from './pretty.ts';

export type Logger = PinoLogger;

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Where lines go; default stdout. Tests pass a stream that records the lines. */
  destination?: NodeJS.WritableStream;
  /** 'auto' (default): pretty when the destination is a terminal, else JSON lines. */
  format?: LogFormat | 'auto';
  /** Colours in pretty lines; default: on a terminal, unless NO_COLOR is set. */
  colorize?: boolean;
}

const isTerminal = (s: NodeJS.WritableStream | undefined) => (s as { isTTY?: boolean } | undefined)?.isTTY === true;

/** The format `createLogger` picks for a destination: pretty on a terminal, JSON lines otherwise. */
export function logFormatFor(destination: NodeJS.WritableStream = process.stdout, format: LoggerOptions['format'] = 'auto'): LogFormat {
  if (format === 'json' || format === 'pretty') return format;
  return isTerminal(destination) ? 'pretty' : 'json';
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = { level: opts.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  const out = opts.destination ?? process.stdout;
  if (logFormatFor(out, opts.format) === 'pretty') {
    const colorize = opts.colorize ?? (isTerminal(out) && !process.env.NO_COLOR);
    return pino(options, prettyStream(out, { colorize }) as pino.DestinationStream);
  }
  // stdout by default through a synchronous SonicBoom: pino's default is asynchronous, and a process that exits
  // right after logging was seen to print the last line first (flushSync at exit overtakes the write in flight).
  return pino(options, opts.destination ? (opts.destination as pino.DestinationStream) : pino.destination({ dest: 1, sync: true }));
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
  return { log: createLogger({ level, destination: destination as unknown as NodeJS.WritableStream, format: 'json' }), lines: () => lines };
}
