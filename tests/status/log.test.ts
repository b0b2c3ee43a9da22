import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createMemoryLogger, logFormatFor } from '../../log/index.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');
const child = join(import.meta.dirname, 'log-child.ts');
const ESC = '\u001b[';

/** A stream that records what is written; `isTTY` makes it look like a terminal. */
function sink(isTTY: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (isTTY) s.isTTY = true;
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  return { stream: s, text: () => text };
}

function logTwo(stream: NodeJS.WritableStream, colorize?: boolean) {
  const log = createLogger({ destination: stream, ...(colorize === undefined ? {} : { colorize }) });
  log.child({ module: 'registrar' }).info({ linkedid: '1715000100.2' }, 'call registered');
  log.warn({ linkedid: '1715000100.2', hook: 'process_client_phone', version: 7, code: 'TIMEOUT' }, 'script took too long');
}

const PRETTY_WARN = /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[call 1715000100\.2\] script took too long \{"hook":"process_client_phone","version":7,"code":"TIMEOUT"\}$/;

describe('the log format', () => {
  it('is pretty on a terminal and JSON lines elsewhere, unless told', () => {
    expect(logFormatFor(sink(true).stream)).toBe('pretty');
    expect(logFormatFor(sink(false).stream)).toBe('json');
    expect(logFormatFor(sink(true).stream, 'json')).toBe('json');
    expect(logFormatFor(sink(false).stream, 'pretty')).toBe('pretty');
  });

  it('on a terminal: one readable line per event, the call up front, hook, version and code kept', async () => {
    const s = sink(true);
    logTwo(s.stream, false);
    await new Promise((r) => setImmediate(r));
    const lines = s.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[call 1715000100\.2\] call registered \{"module":"registrar"\}$/);
    expect(lines[1]).toMatch(PRETTY_WARN);
  });

  it('on a terminal: coloured by default', async () => {
    const s = sink(true);
    logTwo(s.stream);
    await new Promise((r) => setImmediate(r));
    expect(s.text()).toContain(ESC);
  });

  it('elsewhere: JSON lines with linkedid, hook, version and code as fields', async () => {
    const s = sink(false);
    logTwo(s.stream);
    await new Promise((r) => setImmediate(r));
    const lines = s.text().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 30, module: 'registrar', linkedid: '1715000100.2', msg: 'call registered' });
    expect(lines[1]).toMatchObject({ level: 40, linkedid: '1715000100.2', hook: 'process_client_phone', version: 7, code: 'TIMEOUT' });
    expect(typeof lines[1]?.time).toBe('string');
  });

  it('the memory logger stays JSON whatever it is given', () => {
    const { log, lines } = createMemoryLogger('info');
    log.warn({ linkedid: '1.2', hook: 'need_registration', version: 1, code: 'SCRIPT_ERROR' }, 'x');
    expect(lines()).toMatchObject([{ linkedid: '1.2', hook: 'need_registration', version: 1, code: 'SCRIPT_ERROR', msg: 'x' }]);
  });
});

// A real terminal (a pty from util-linux `script`) and a real pipe, each with a process that exits right after
// logging: the lines must be there, pretty on the terminal, JSON in the pipe.
describe.skipIf(!existsSync('/usr/bin/script'))('a real process', () => {
  const run = (args: string[]) => spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 });

  it('writes readable lines to a terminal, nothing lost at exit', () => {
    const cmd = `${node} --no-warnings ${child}`;
    const r = run(['/usr/bin/script', '-q', '-e', '-c', cmd, '/dev/null']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.replace(/\r/g, '').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ INFO: \[call 1715000100\.2\] call registered \{"module":"registrar"\}$/);
    expect(lines[1]).toMatch(/ WARN: \[call 1715000100\.2\] process_client_phone \(script v7\) took longer than 500 ms \{"hook":"process_client_phone","version":7,"code":"TIMEOUT"\}$/);
    expect(r.stdout).not.toContain(ESC);
  });

  it('writes JSON lines to a pipe (stdout and stderr), nothing lost at exit', () => {
    for (const where of ['stdout', 'stderr']) {
      const r = run([node, '--no-warnings', child, where]);
      expect(r.status, r.stderr).toBe(0);
      const out = where === 'stdout' ? r.stdout : r.stderr;
      const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatchObject({ linkedid: '1715000100.2', hook: 'process_client_phone', version: 7, code: 'TIMEOUT' });
    }
  });
});
