import type { CliCommand } from '../command.ts';

export const command: CliCommand = {
  define(program) {
    program
      .command('start')
      .description('Run hookline: the call engine, the editor and, with no PBX or Kommo configured, the demo.')
      .option('--config <file>', 'configuration file (default ./hookline.config.json or $HOOKLINE_CONFIG)')
      .action(() => {
        console.log('hookline: the engine and the editor are not built yet.');
        console.log('What works today: `npx hookline run`, `npx hookline check`, `npx hookline contracts` (see --help).');
      });
  },
};
