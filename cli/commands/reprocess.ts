/**
 * `hookline reprocess --from <time> --to <time> [--dry-run]`: asks the running hookline (its HTTP API, as the
 * admin) to register the calls of a period that it lacks, read from CEL, and shows the progress until it is done.
 * Ctrl-C stops the run after the batch in progress; the same command again resumes it.
 */
import { loadConfig } from '../../config/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

interface RunState {
  from: string;
  to: string;
  dryRun: boolean;
  state: string;
  found: number;
  read: number;
  registered: number;
  already: number;
  skipped: number;
  left: number;
  resumeFrom: string | null;
  resumed: number;
  problems: string[];
  error: { code: string; message: string; hint: string } | null;
  wouldWrite?: { linkedid: string; endedAt: string; direction: string; from: string; to: string; answered: boolean; notRegistered: string | null }[];
}

const EXIT = 'Exit codes: 0 the period was reprocessed (or listed, with --dry-run); 1 it failed or was stopped (run the same command again to resume); 2 the command was misused or hookline could not be reached.';

function line(s: RunState): string {
  const verb = s.dryRun ? 'would register' : 'registered';
  return `calls read ${s.read} of ${s.found}: ${verb} ${s.registered}, already there ${s.already}, not to register ${s.skipped}, left ${s.left}`;
}

export const command: CliCommand = {
  define(program) {
    program
      .command('reprocess')
      .description('Register the calls that ended in a period and are missing in Kommo, read from Asterisk\'s CEL by the running hookline (its HTTP API, as the admin); --dry-run lists what would be written.')
      .requiredOption('--from <time>', 'start of the period: "2026-12-01 09:00" (cel.timezone, else pbx.timezone), ISO 8601 with an offset, or epoch seconds')
      .requiredOption('--to <time>', 'end of the period (calls that ended before it)')
      .option('--dry-run', 'write nothing: list the calls that would be registered, and those that would not with why')
      .option('--restart', 'start the period from its beginning even if a stopped run of it could be resumed')
      .option('--config <file>', 'configuration file (for the editor address and the admin user)')
      .option('--url <url>', 'where hookline answers (default: http://<editor.host>:<editor.port> of the configuration)')
      .option('--user <name>', 'the admin user (default: editor.admin.username, else admin); the password is read from $HOOKLINE_ADMIN_PASSWORD')
      .addHelpText('after', `\n${EXIT}`)
      .action(async (opts: { from: string; to: string; dryRun?: boolean; restart?: boolean; config?: string; url?: string; user?: string }) => {
        const loaded = loadConfig({ file: opts.config });
        if (!loaded.ok) throw new UsageError(`${loaded.error.message}\n${loaded.error.hint}`);
        const c = loaded.value.config;
        const host = c.editor.host === '0.0.0.0' || c.editor.host === '::' ? '127.0.0.1' : c.editor.host;
        const base = (opts.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${c.editor.port}`).replace(/\/$/, '');
        const password = process.env.HOOKLINE_ADMIN_PASSWORD ?? (typeof c.editor.admin?.password === 'string' ? c.editor.admin.password : undefined);
        if (!password) throw new UsageError('set HOOKLINE_ADMIN_PASSWORD to the editor\'s admin password (hookline reprocess logs in as the admin)');
        const username = opts.user ?? c.editor.admin?.username ?? 'admin';

        let cookie = '';
        const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
          let res: Response;
          try {
            res = await fetch(`${base}${path}`, {
              method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
              ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            });
          } catch (e) {
            throw new UsageError(`hookline does not answer at ${base} (${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}): is it running? Give --url or --config with its editor address.`);
          }
          const set = res.headers.get('set-cookie');
          if (set) cookie = set.split(';')[0] as string;
          return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
        };
        const fail = (r: { json: Record<string, unknown> }) => {
          const e = r.json.error as { code: string; message: string; hint: string } | undefined;
          return new UsageError(e ? `${e.code}: ${e.message}${e.hint ? `\n${e.hint}` : ''}` : `unexpected answer: ${JSON.stringify(r.json)}`);
        };

        const login = await call('POST', '/api/login', { username, password });
        if (login.status !== 200) throw fail(login);
        const started = await call('POST', '/api/reprocess', { from: opts.from, to: opts.to, ...(opts.dryRun ? { dryRun: true } : {}), ...(opts.restart ? { restart: true } : {}) });
        if (started.status !== 202) throw fail(started);
        const first = started.json as unknown as RunState;
        console.error(`reprocess ${first.from} to ${first.to}${first.dryRun ? ' (dry run: nothing is written)' : ''}${first.resumed ? `: resumed from ${first.resumeFrom}` : ''}`);

        let stopping = false;
        const onSigint = () => {
          if (stopping) return;
          stopping = true;
          console.error('stopping after the batch in progress…');
          // a JSON body: every state-changing /api route takes application/json only (http/gate.ts)
          void call('DELETE', '/api/reprocess', {});
        };
        process.on('SIGINT', onSigint);
        let last = '';
        let s: RunState = first;
        try {
          for (;;) {
            await new Promise((r) => setTimeout(r, 250));
            const got = await call('GET', '/api/reprocess');
            s = got.json.run as RunState;
            const l = line(s);
            if (l !== last) console.error(l);
            last = l;
            if (s.state !== 'running') break;
          }
        } finally {
          process.off('SIGINT', onSigint);
        }
        for (const w of s.wouldWrite ?? []) process.stdout.write(`${JSON.stringify(w)}\n`);
        for (const p of s.problems) console.error(`problem: ${p}`);
        if (s.state === 'done') {
          // a dry run's stdout is its list, one JSON line per call: the summary goes with the progress
          (s.dryRun ? console.error : console.log)(`${s.dryRun ? 'dry run done' : 'done'}: ${s.found} calls ended in the period; ${s.dryRun ? 'would register' : 'registered'} ${s.registered}, already there ${s.already}, not to register ${s.skipped}.`);
          return;
        }
        if (s.state === 'stopped') console.error(`stopped with ${s.left} calls left (from ${s.resumeFrom}): run the same command again to resume.`);
        else console.error(`hookline: ${s.error?.code}: ${s.error?.message}\n${s.error?.hint ?? ''}\nRun the same command again to resume from ${s.resumeFrom}.`);
        process.exitCode = 1;
      });
  },
};
