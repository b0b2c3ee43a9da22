import { DEMO_USERS, ServiceError, startService } from '../../app/index.ts';
import { loadConfig } from '../../config/index.ts';
import { DemoStartError } from '../../demo/index.ts';
import { createLogger } from '../../log/index.ts';
import { describeMp3Encoder } from '../../sandbox/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

export const command: CliCommand = {
  define(program) {
    program
      .command('start')
      .description('Run hookline: the call engine (AMI → hooks → Kommo), the editor and its API. With no PBX and no Kommo configured, a built-in demo PBX replays captured calls into a built-in Kommo emulator.')
      .option('--config <file>', 'configuration file (default ./hookline.config.json or $HOOKLINE_CONFIG)')
      .action(async (opts: { config?: string }) => {
        const loaded = loadConfig({ file: opts.config });
        // The configuration is read before anything else: a refused one leaves everything as it was.
        if (!loaded.ok) throw new UsageError(`${loaded.error.code}: ${loaded.error.message}\n${loaded.error.hint} hookline did not start; nothing was changed.`);
        const { config, demo, file } = loaded.value;
        const log = createLogger({ level: config.log.level as 'info', destination: process.stderr });
        let service;
        try {
          service = await startService({ config, demo, log });
        } catch (e) {
          if (e instanceof ServiceError || e instanceof DemoStartError) throw new UsageError(`${e.code}: ${e.message}\n${e.hint}`);
          throw e;
        }
        const { editor, auth, started } = service;
        if (demo) {
          console.log('hookline is running as a DEMO: no PBX and no Kommo are configured, so a built-in demo PBX replays captured calls');
          console.log(`(demo/captures) into a built-in Kommo emulator at ${service.kommoSim?.url}, all on this machine.`);
          console.log('Connect a real Asterisk and Kommo account in hookline.config.json (README: "Connecting Asterisk", "Connecting Kommo").');
        } else {
          console.log(`hookline is running with ${file ?? 'the configuration'}: AMI ${config.ami?.host}:${config.ami?.port}, Kommo ${config.kommo?.baseUrl ?? config.kommo?.subdomain}.`);
        }
        if (!started.ok) console.log(`Calls are NOT registered: ${started.error.code}: ${started.error.message}\n  ${started.error.hint}\n  They stay queued in the outbox.`);
        console.log(`Recordings: ${service.mp3Encoder ? describeMp3Encoder(service.mp3Encoder) : 'linked as recorded (recordings.convertToMp3 is off)'}`);
        console.log(`Editor: http://${config.editor.host}:${editor?.port}`);
        if (auth?.generatedPassword) {
          console.log(`Admin password: ${auth.generatedPassword}`);
          console.log(`(generated on this first start for user "${auth.username}"; only its hash is kept, in ${service.dataDir}/admin.json)`);
        }
        if (service.demoClickToCallToken) {
          // the demo's click-to-dial call rings extension 201 first: the user mapped to it asks for the call
          const users: Record<string, number> = Object.keys(config.users).length ? config.users : DEMO_USERS;
          const userId = users['201'] ?? Object.values(users)[0] ?? DEMO_USERS['201'];
          console.log(`Click-to-call (demo): curl -X POST http://${config.editor.host}:${editor?.port}/api/click-to-call -H 'Authorization: Bearer ${service.demoClickToCallToken}' -H 'content-type: application/json' -d '{"number": "+31612345678", "user_id": ${userId}}'`);
        }
        console.log(`Status: GET /api/status (with a session), metrics: GET /metrics. Data: ${service.dataDir}. Ctrl-C stops everything.`);
        let stopping = false;
        const stop = async () => {
          if (stopping) return;
          stopping = true;
          const timer = setTimeout(() => process.exit(1), 10_000);
          timer.unref();
          await service.stop();
          process.exit(0);
        };
        process.once('SIGINT', () => void stop());
        process.once('SIGTERM', () => void stop());
      });
  },
};
