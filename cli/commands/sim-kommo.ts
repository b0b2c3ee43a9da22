import { ACCOUNT_NAMES, DEFAULT_OAUTH, MAX_REQUESTS_PER_SECOND, startKommo, type AccountName } from '../../sim/kommo/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

interface Options {
  port: string;
  account: string;
  token?: string;
  rps?: string;
  html429?: boolean;
}

function wholeNumber(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}; got "${v}"`);
  return n;
}

/**
 * `hookline sim-kommo`: the Kommo emulator on its own, for operators trying a configuration and for tests
 * that run hookline as a separate process. Prints one JSON line (url and tokens), then serves until stopped.
 */
export const command: CliCommand = {
  define(program) {
    program
      .command('sim-kommo')
      .description('Run the Kommo API v4 emulator on 127.0.0.1 (state and requests at /__sim/state and /__sim/requests).')
      .option('--port <n>', 'port to listen on; 0 picks a free one', '0')
      .option('--account <name>', `starting account: ${ACCOUNT_NAMES.join(', ')}`, 'demo')
      .option('--token <token>', 'the long-lived token to accept (default sim-long-lived-token)')
      .option('--rps <n>', `requests per second before 429 (default ${MAX_REQUESTS_PER_SECOND}, Kommo's limit)`)
      .option('--html-429', 'answer 429 with the HTML page seen in the field instead of the documented JSON')
      .action(async (opts: Options) => {
        const port = wholeNumber('--port', opts.port, 0, 65_535);
        if (!ACCOUNT_NAMES.includes(opts.account as AccountName)) throw new UsageError(`--account must be one of ${ACCOUNT_NAMES.join(', ')}; got "${opts.account}"`);
        const rps = opts.rps === undefined ? undefined : wholeNumber('--rps', opts.rps, 1, 1_000_000);
        let sim;
        try {
          sim = await startKommo({
            port, account: opts.account as AccountName, tooManyRequestsBody: opts.html429 ? 'html' : 'json',
            ...(opts.token ? { auth: { longLivedToken: opts.token } } : {}),
            ...(rps !== undefined ? { limits: { requestsPerSecond: rps } } : {}),
          });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          console.error(code === 'EADDRINUSE'
            ? `hookline: port ${port} on 127.0.0.1 is in use; pick another with --port, or --port 0 for any free one.`
            : `hookline: the Kommo emulator did not start: ${(e as Error).message}`);
          process.exitCode = 1;
          return;
        }
        const t = sim.tokens();
        console.log(JSON.stringify({ url: sim.url, port: sim.port, account: opts.account, longLivedToken: t.longLivedToken, accessToken: t.accessToken, refreshToken: t.refreshToken, clientId: DEFAULT_OAUTH.clientId, clientSecret: DEFAULT_OAUTH.clientSecret }));
        const stop = () => { void sim.close().then(() => process.exit(0)); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
  },
};
