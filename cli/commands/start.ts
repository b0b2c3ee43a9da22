import { resolve } from 'node:path';
import { loadConfig, secret } from '../../config/index.ts';
import { createAuth, startEditor } from '../../editor/index.ts';
import { createPublishedScripts } from '../../engine/hooks/index.ts';
import { createLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

export const command: CliCommand = {
  define(program) {
    program
      .command('start')
      .description('Run hookline: the editor and its API, the scripts store and the sandbox (the call engine and the demo are being built).')
      .option('--config <file>', 'configuration file (default ./hookline.config.json or $HOOKLINE_CONFIG)')
      .action(async (opts: { config?: string }) => {
        const loaded = loadConfig({ file: opts.config });
        if (!loaded.ok) throw new UsageError(`${loaded.error.code}: ${loaded.error.message}\n${loaded.error.hint}`);
        const { config, demo } = loaded.value;
        const log = createLogger({ level: config.log.level as 'info', destination: process.stderr });
        const dataDir = resolve(config.dataDir);
        const s = await openStore(dataDir, { captureRing: config.captures.ringSize, captureEnabled: config.captures.enabled });
        if (!s.ok) throw new UsageError(`${s.error.code}: ${s.error.message}\n${s.error.hint}`);
        const store = s.value;
        const runner = createRunner({ supervisor: { onCrash: (detail) => log.error({ detail }, 'the sandbox process died and was restarted') } });
        // Replays get their own two children (started on first use): the draft and the published version run side by side.
        const replayRunner = createRunner({ children: 2 });
        const scripts = createPublishedScripts(store, runner, log);
        const admin = config.editor.admin;
        const auth = createAuth(dataDir, { username: admin?.username, password: secret(admin?.password as never), passwordHash: admin?.passwordHash });
        const editor = await startEditor({
          store,
          runner,
          replayRunner,
          auth,
          host: config.editor.host,
          port: config.editor.port,
          log,
          status: () => ({ engine: 'not built yet', demo, hooks: store.listHooks() }),
        });
        console.log(`hookline is running${demo ? ' on its embedded defaults (no PBX and no Kommo configured)' : ''}.`);
        console.log('What runs now: the editor API, the scripts store and the sandbox. Not yet: the call engine, Kommo registration, the demo, the editor page.');
        console.log(`Editor: http://${config.editor.host}:${editor.port}`);
        if (auth.generatedPassword) {
          console.log(`Admin password: ${auth.generatedPassword}`);
          console.log(`(generated on this first start for user "${auth.username}"; only its hash is kept, in ${dataDir}/admin.json)`);
        }
        console.log('Ctrl-C stops everything.');
        const stop = async () => {
          await editor.close();
          scripts.close();
          await store.close();
          await runner.close();
          await replayRunner.close();
          process.exit(0);
        };
        process.once('SIGINT', () => void stop());
        process.once('SIGTERM', () => void stop());
      });
  },
};
