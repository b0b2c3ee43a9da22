/**
 * Human-readable log lines for a terminal: pino-pretty's formatter called in the write itself (prettyFactory),
 * not pino-pretty's transport (a worker thread, or a Transform stream piped to the destination): a line is on
 * the terminal when the log call returns, so the last lines before a crash or process.exit are never lost.
 */
import { prettyFactory } from 'pino-pretty';

export interface PrettyOptions {
  colorize: boolean;
}

/** `[12:30:00.000] WARN: [call 1715000100.2] the message {"hook":…,"version":7,"code":"TIMEOUT"}` */
export function prettyLine(o: PrettyOptions): (jsonLine: string) => string {
  return prettyFactory({
    colorize: o.colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,linkedid',
    messageFormat: '{if linkedid}[call {linkedid}] {end}{msg}',
  }) as (line: string) => string;
}

/** A pino destination that formats each JSON line and writes it to `out` at once. */
export function prettyStream(out: NodeJS.WritableStream, o: PrettyOptions): { write(chunk: string): boolean } {
  const format = prettyLine(o);
  return {
    write(chunk: string) {
      // pino writes one line per call; a chunk is split anyway so a partial line is never half-formatted.
      let text = '';
      for (const line of chunk.split('\n')) if (line) text += format(line);
      return out.write(text);
    },
  };
}
