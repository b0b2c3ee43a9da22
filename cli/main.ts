/**
 * hookline's command line. Each command is a file in cli/commands/ that exports `command: CliCommand`;
 * this file finds them, so adding a command touches no shared file.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { CliCommand } from './command.ts';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(join(here, 'commands'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .sort();

const program = new Command('hookline')
  .description('Logs every Asterisk call into Kommo; each step can be customized by a sandboxed TypeScript script.')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

for (const f of files) {
  let mod: { command?: CliCommand };
  try {
    mod = (await import(join(here, 'commands', f))) as { command?: CliCommand };
  } catch (e) {
    // One command that cannot load must not take the others down.
    console.error(`hookline: the command in cli/commands/${f} could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    continue;
  }
  if (mod.command) mod.command.define(program);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help and --version exit 0; usage errors exit 2, as every hookline command does.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    // UsageError and anything unexpected: one line on stderr, exit 2.
    console.error(`hookline: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  }
}
