import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isHookName, type HookName } from '../../contracts/index.ts';
import { loadConfig } from '../../config/index.ts';
import { connectAmi } from '../../engine/ami/index.ts';
import { followCalls } from '../../engine/calls/index.ts';
import { ENGINE_AMI_ONLY, trackerConfig } from '../../engine/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createPhoneNormalizer } from '../../engine/phone/index.ts';
import { createLogger } from '../../log/index.ts';
import { compile, createRunner, type HookScript } from '../../sandbox/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';
import { acquireDataLock } from '../../scripts-store/index.ts';
import { openStoryStore, parseTime } from '../../stories/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

/** No new AMI message for this long after the replay: the capture is over; calls still open are closed as best known. */
const QUIET_MS = 500;

export const command: CliCommand = {
  define(program) {
    program
      .command('calls')
      .description('Replay AMI captures (each on its own, in order) through a simulated PBX over TCP, follow their calls and run the stage hooks (no CRM); print one JSON line per finished call. `hookline calls purge --before <date>` removes stories.')
      .argument('<capture.ami...>', 'AMI captures (CRLF-framed blocks), e.g. downloaded from GET /api/calls/:linkedid/capture.ami')
      .option('--config <file>', 'configuration file (internal numbers, trunks, lists, phone rules, hook limits)')
      .option('--explain', 'add to each call why its direction, numbers, answerer and result were decided')
      .option('--script <hook=file.ts>', 'use this script as the published one for a hook (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .action(async (captures: string[], opts: { config?: string; script: string[]; explain?: boolean }) => {
        const texts: string[] = [];
        for (const capture of captures) {
          try {
            texts.push(readFileSync(capture, 'utf8'));
          } catch (e) {
            throw new UsageError(`cannot read the capture ${capture}: ${(e as Error).message}`);
          }
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
        const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, logger: log, parser: { only: ENGINE_AMI_ONLY } });
        const runner = createRunner();
        let lastMessage = Date.now();
        ami.on('message', () => {
          lastMessage = Date.now();
        });
        const hooks = createHookInvoker({ runner, scripts: { published: (h) => scripts[h] ?? null }, log, limits: config.hooks });
        // A follower of its own for each capture: captures of calls that shared channels hold some of the same events.
        const follow = () => followCalls({
          ami,
          tracker: trackerConfig(config.pbx, config.users),
          stages: { filters: config.filters, normalizePhone: createPhoneNormalizer(config.phone), hooks },
          log,
          explain: opts.explain === true,
          onCall: ({ why, ...call }) => process.stdout.write(`${JSON.stringify(opts.explain ? { ...call, explain: why ?? null } : call)}\n`),
        });
        try {
          const ready = await ami.ready(5_000);
          if (!ready.ok) throw new Error(`could not log in to the simulated PBX: ${ready.error.message}`);
          for (const text of texts) {
            const follower = follow();
            try {
              await pbx.replay(text, { pace: 'asap' });
              // the PBX answers a Ping after every event it wrote before it: then the capture is all read
              await ami.action({ Action: 'Ping' });
              while (Date.now() - lastMessage < QUIET_MS) await new Promise((r) => setTimeout(r, 50));
              await follower.idle();
              follower.finish();
              await follower.idle();
            } finally {
              follower.stop();
            }
          }
        } finally {
          await ami.close();
          await pbx.close();
          await runner.close();
        }
      });
    program
      .commands.find((c) => c.name() === 'calls')
      ?.command('purge')
      .description("Remove the stories (and events) of calls that started before a date from the data folder. hookline must not be running on it (POST /api/calls/purge does the same while it runs).")
      .requiredOption('--before <date>', 'a date or time (ISO 8601, e.g. 2026-11-01) or ms since the epoch')
      .option('--data <dir>', 'the data folder (default: dataDir of the configuration)')
      .option('--config <file>', 'configuration file')
      .action(async (opts: { before: string; data?: string; config?: string }) => {
        const before = parseTime(opts.before);
        if (!Number.isFinite(before)) throw new UsageError(`--before "${opts.before}" is not a date: give ISO 8601 (2026-11-01 or 2026-11-01T12:00:00Z) or ms since the epoch`);
        const loaded = loadConfig({ file: opts.config });
        if (!loaded.ok) throw new UsageError(`${loaded.error.message}\n${loaded.error.hint}`);
        const dataDir = resolve(opts.data ?? loaded.value.config.dataDir);
        const lock = acquireDataLock(dataDir);
        if (!lock.ok) throw new UsageError(`${lock.error.message}\n${lock.error.hint}\nWhile hookline runs, POST /api/calls/purge {"before": "${opts.before}"} removes them.`);
        try {
          const store = openStoryStore(dataDir);
          const removed = await store.purge(before);
          await store.close();
          process.stdout.write(`removed ${removed.stories} stories and the events of ${removed.events} calls that started before ${new Date(before).toISOString()}\n`);
        } finally {
          lock.value.release();
        }
      });
  },
};
