import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDoc, configJsonSchema, loadConfig } from '../../config/index.ts';
import { openCelSource } from '../../cel/index.ts';
import type { CliCommand } from '../command.ts';

/** Kept in step with the README's "Configuration" section. */
const CHECK_EXIT_CODES = 'Exit codes: 0 the configuration can be used; 1 it cannot (unreadable, not JSON, or invalid: every problem is listed); 2 the command was misused.';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const command: CliCommand = {
  define(program) {
    const cmd = program.command('config').description('Check the configuration file, or print its schema and docs.');
    cmd
      .command('check')
      .description('Check a configuration file (with the environment variables it names) and list every problem; nothing is started or changed.')
      .option('--config <file>', 'the file (default: $HOOKLINE_CONFIG, then ./hookline.config.json)')
      .addHelpText('after', `\n${CHECK_EXIT_CODES}`)
      .action(async (opts: { config?: string }) => {
        const r = loadConfig({ file: opts.config });
        if (!r.ok) {
          const where = r.error.file ?? 'the configuration';
          const n = r.error.problems.length;
          const verdict = r.error.code === 'CONFIG_UNREADABLE' ? `${where} cannot be read` : `${where} has ${n} problem${n === 1 ? '' : 's'}`;
          console.error(`hookline: ${r.error.code}: ${r.error.message}\n${r.error.hint}\nhookline config check: ${verdict}; nothing was started or changed.`);
          process.exitCode = 1;
          return;
        }
        const v = r.value;
        console.log(`${v.file ?? 'no configuration file: defaults'} is valid${v.demo ? ' (no ami and no kommo: the built-in demo runs)' : ''}.`);
        // cel: connect and look at the table (or the file), as the catch-up will
        const cel = openCelSource(v.config);
        if (!cel) return;
        const c = await cel.check();
        await cel.close();
        if (!c.ok) {
          console.error(`hookline: ${c.error.code}: ${c.error.message}\n${c.error.hint}\nhookline config check: the CEL source cannot be used; calls that end while hookline is stopped would not be caught up.`);
          process.exitCode = 1;
          return;
        }
        const opt = c.value.missingOptional.length ? ` (optional columns absent: ${c.value.missingOptional.join(', ')})` : '';
        console.log(`CEL: the ${c.value.where} is readable, with every column hookline needs${opt}.`);
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
