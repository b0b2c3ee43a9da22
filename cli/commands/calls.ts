import { readFileSync } from 'node:fs';
import { isHookName, type HookName } from '../../contracts/index.ts';
import { loadConfig } from '../../config/index.ts';
import { connectAmi } from '../../engine/ami/index.ts';
import { followCalls } from '../../engine/calls/index.ts';
import { trackerConfig } from '../../engine/index.ts';
import { TRACKER_AMI_ONLY } from '../../engine/tracker/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createPhoneNormalizer } from '../../engine/phone/index.ts';
import { createLogger } from '../../log/index.ts';
import { compile, createRunner, type HookScript } from '../../sandbox/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

/** No new AMI message for this long after the replay: the capture is over; calls still open are closed as best known. */
const QUIET_MS = 500;

export const command: CliCommand = {
  define(program) {
    program
      .command('calls')
      .description('Replay an AMI capture through a simulated PBX over TCP, follow its calls and run the stage hooks (no CRM); print one JSON line per finished call.')
      .argument('<capture.ami>', 'an AMI capture (CRLF-framed blocks)')
      .option('--config <file>', 'configuration file (internal numbers, trunks, lists, phone rules, hook limits)')
      .option('--explain', 'add to each call why its direction, numbers, answerer and result were decided')
      .option('--script <hook=file.ts>', 'use this script as the published one for a hook (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .action(async (capture: string, opts: { config?: string; script: string[]; explain?: boolean }) => {
        let text: string;
        try {
          text = readFileSync(capture, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read the capture ${capture}: ${(e as Error).message}`);
        }
        const loaded = loadConfig({ file: opts.config });
        if (!loaded.ok) throw new UsageError(`${loaded.error.message}\n${loaded.error.hint}`);
        const config = loaded.value.config;
        const scripts: Partial<Record<HookName, HookScript>> = {};
        for (const spec of opts.script) {
          const [hook, file] = spec.split('=');
          if (!hook || !file || !isHookName(hook)) throw new UsageError(`--script takes <hook>=<file.ts> with one of the 13 hook names, not "${spec}"`);
          let source: string;
          try {
            source = readFileSync(file, 'utf8');
          } catch (e) {
            throw new UsageError(`cannot read the script ${file}: ${(e as Error).message}`);
          }
          const c = await compile(source, { hook, version: 'local', filename: file });
          if (!c.ok) throw new UsageError(`${c.error.message}\n${c.error.hint}`);
          scripts[hook] = { version: 'local', compiled: c.compiled };
        }

        const log = createLogger({ level: (config.log.level === 'info' ? 'warn' : config.log.level) as 'warn', destination: process.stderr });
        const pbx = await startPbx();
        const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, logger: log, parser: { only: TRACKER_AMI_ONLY } });
        const runner = createRunner();
        let lastMessage = Date.now();
        ami.on('message', () => {
          lastMessage = Date.now();
        });
        const follower = followCalls({
          ami,
          tracker: trackerConfig(config.pbx, config.users),
          stages: {
            filters: config.filters,
            normalizePhone: createPhoneNormalizer(config.phone),
            hooks: createHookInvoker({ runner, scripts: { published: (h) => scripts[h] ?? null }, log, limits: config.hooks }),
          },
          log,
          explain: opts.explain === true,
          onCall: ({ why, ...call }) => process.stdout.write(`${JSON.stringify(opts.explain ? { ...call, explain: why ?? null } : call)}\n`),
        });
        try {
          const ready = await ami.ready(5_000);
          if (!ready.ok) throw new Error(`could not log in to the simulated PBX: ${ready.error.message}`);
          await pbx.replay(text, { pace: 'asap' });
          while (Date.now() - lastMessage < QUIET_MS) await new Promise((r) => setTimeout(r, 50));
          await follower.idle();
          follower.finish();
          await follower.idle();
        } finally {
          follower.stop();
          await ami.close();
          await pbx.close();
          await runner.close();
        }
      });
  },
};
