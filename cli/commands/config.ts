import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDoc, configJsonSchema, loadConfig } from '../../config/index.ts';
import type { CliCommand } from '../command.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const command: CliCommand = {
  define(program) {
    const cmd = program.command('config').description('Check the configuration file, or print its schema and docs.');
    cmd
      .command('check')
      .description('Check a configuration file and list every problem; exit 1 if there is any.')
      .option('--config <file>', 'the file (default: $HOOKLINE_CONFIG, then ./hookline.config.json)')
      .action((opts: { config?: string }) => {
        const r = loadConfig({ file: opts.config });
        if (!r.ok) {
          console.error(`hookline: ${r.error.code}: ${r.error.message}\n${r.error.hint}`);
          process.exitCode = r.error.code === 'CONFIG_UNREADABLE' ? 2 : 1;
          return;
        }
        const v = r.value;
        console.log(`${v.file ?? 'no configuration file: defaults'} is valid${v.demo ? ' (no ami and no kommo: the built-in demo runs)' : ''}.`);
      });
    cmd
      .command('schema')
      .description('Print the JSON Schema of the configuration file.')
      .action(() => {
        process.stdout.write(configJsonSchema());
      });
    cmd
      .command('docs')
      .description('Print docs/config.md.')
      .option('--write', 'rewrite docs/config.md and config/hookline.config.schema.json')
      .action((opts: { write?: boolean }) => {
        if (opts.write) {
          writeFileSync(join(root, 'docs', 'config.md'), configDoc());
          writeFileSync(join(root, 'config', 'hookline.config.schema.json'), configJsonSchema());
          console.log('wrote docs/config.md and config/hookline.config.schema.json');
        } else process.stdout.write(configDoc());
      });
  },
};
