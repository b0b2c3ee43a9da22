import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startService } from '../../app/index.ts';
import { loadConfig } from '../../config/index.ts';
import { HOOK_NAMES } from '../../contracts/index.ts';
import { createLogger } from '../../log/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

/** No new AMI message for this long after a replay: the capture is over; calls still open are closed as best known. */
const QUIET_MS = 500;

export const command: CliCommand = {
  define(program) {
    program
      .command('demo')
      .description('Replay every .ami capture of a folder through the simulated PBX into the engine and the Kommo emulator, with the default scripts (or the store\'s published ones with --data); print one JSON object with what Kommo received.')
      .requiredOption('--captures <dir>', 'folder of AMI captures (*.ami)')
      .option('--once', 'play each capture once and exit when every call is registered or failed (the only mode for now)', true)
      .option('--config <file>', 'configuration file (pbx, filters, phone, registration); ami and kommo are ignored: the simulators are used')
      .option('--data <dir>', 'data folder (published scripts, outbox); default: a fresh temporary folder, removed at the end')
      .action(async (opts: { captures: string; once: boolean; config?: string; data?: string }) => {
        let files: string[];
        try {
          files = readdirSync(opts.captures).filter((f) => f.endsWith('.ami')).sort();
        } catch (e) {
          throw new UsageError(`cannot read the captures folder ${opts.captures}: ${(e as Error).message}`);
        }
        if (!files.length) throw new UsageError(`the folder ${opts.captures} has no .ami capture`);
        const loaded = loadConfig({ file: opts.config });
        if (!loaded.ok) throw new UsageError(`${loaded.error.code}: ${loaded.error.message}\n${loaded.error.hint}`);
        const dataDir = opts.data ? resolve(opts.data) : mkdtempSync(join(tmpdir(), 'hookline-demo-'));
        const config = { ...loaded.value.config, dataDir, ami: undefined, kommo: undefined };
        const log = createLogger({ level: 'warn', destination: process.stderr });
        const pbx = await startPbx({ users: { demo: { secret: 'demo' } } });
        let lastMessage = Date.now();
        const calls: { linkedid: string; submitted: boolean }[] = [];
        const outcomes: { linkedid: string; ok: boolean; error?: { code: string; message: string } }[] = [];
        const service = await startService({
          config, demo: true, log, editor: false, pbxOverride: { host: pbx.host, port: pbx.port, username: 'demo', secret: 'demo' },
          onCall: (c, submitted) => calls.push({ linkedid: c.linkedid, submitted }),
          onOutcome: (x) => outcomes.push(x),
        });
        try {
          const e = service.engine;
          e.ami.on('message', () => {
            lastMessage = Date.now();
          });
          const ready = await e.ami.ready(5_000);
          if (!ready.ok) throw new Error(`could not log in to the simulated PBX: ${ready.error.message}`);
          if (!service.started.ok) throw new UsageError(`${service.started.error.code}: ${service.started.error.message}`);
          for (const f of files) {
            await pbx.replay(readFileSync(join(opts.captures, f)), { pace: 'asap' });
            // The PBX answers a Ping after the events it wrote before it: then every event of the capture is read.
            await e.ami.action({ Action: 'Ping' });
            lastMessage = Date.now();
            while (Date.now() - lastMessage < QUIET_MS) await new Promise((r) => setTimeout(r, 50));
          }
          await e.follower.idle();
          e.follower.finish();
          await e.idle();
          const sim = service.kommoSim;
          if (!sim) throw new Error('the Kommo emulator is not running');
          const state = sim.state();
          const requests = sim.requests();
          const byRoute: Record<string, number> = {};
          for (const r of requests) byRoute[r.route] = (byRoute[r.route] ?? 0) + 1;
          const failures: unknown[] = outcomes.filter((x) => !x.ok).map((x) => ({ linkedid: x.linkedid, ...x.error }));
          for (const h of HOOK_NAMES) for (const f of service.store.failures(h)) failures.push({ hook: h, code: f.code, message: f.message, version: f.version, linkedid: f.linkedid });
          const out = {
            calls: calls.length,
            registered: outcomes.filter((x) => x.ok).length,
            failed: outcomes.filter((x) => !x.ok).length,
            notRegistered: calls.filter((c) => !c.submitted).length,
            kommo: { requests: requests.length, byRoute, status429: requests.filter((r) => r.status === 429).length },
            failures,
            state: { contacts: state.contacts, leads: state.leads, unsorted: state.unsorted, calls: state.calls, tasks: state.tasks },
          };
          process.stdout.write(`${JSON.stringify(out)}\n`);
        } finally {
          await service.stop();
          await pbx.close();
          if (!opts.data) rmSync(dataDir, { recursive: true, force: true });
        }
      });
  },
};
