import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { generatePassword, hashPassword, writeAdminFile } from '../../http/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

/** Below this a password typed in is refused; a generated one has 16 characters. */
const MIN_PASSWORD_LENGTH = 12;

export const command: CliCommand = {
  define(program) {
    const cmd = program.command('admin').description("The editor's admin account.");
    cmd
      .command('password')
      .description(
        'Set the editor admin password in <dataDir>/admin.json: read from stdin with --password-stdin, else generated and printed once. ' +
          'A running hookline ends every editor session at its next request; log in again with the new password. Works while hookline runs.',
      )
      .option('--password-stdin', `read the new password from stdin (at least ${MIN_PASSWORD_LENGTH} characters; one trailing newline is dropped)`)
      .option('--config <file>', 'configuration file (its dataDir and editor.admin.username)')
      .option('--data <dir>', 'the data folder (default: dataDir from the configuration, ./data)')
      .action((opts: { passwordStdin?: boolean; config?: string; data?: string }) => {
        const c = loadConfig({ file: opts.config });
        if (!c.ok) throw new UsageError(`${c.error.code}: ${c.error.message}\n${c.error.hint}`);
        const configured = c.value.config.editor.admin;
        if (configured?.password !== undefined || configured?.passwordHash) {
          const key = configured.passwordHash ? 'editor.admin.passwordHash' : 'editor.admin.password';
          throw new UsageError(`the admin password is set in the configuration (${key} in ${c.value.file ?? 'the configuration'}), which admin.json does not override: change it there and restart hookline`);
        }
        let password: string;
        if (opts.passwordStdin) {
          let text: string;
          try {
            text = readFileSync(0, 'utf8');
          } catch (e) {
            throw new UsageError(`cannot read the password from stdin: ${(e as Error).message}`);
          }
          password = text.replace(/\r?\n$/, '');
          if (password.length < MIN_PASSWORD_LENGTH) {
            throw new UsageError(`the password read from stdin has ${password.length} characters; give at least ${MIN_PASSWORD_LENGTH} (or leave out --password-stdin to have one generated)`);
          }
        } else password = generatePassword();
        const dataDir = resolve(opts.data ?? c.value.config.dataDir);
        let file: string;
        try {
          file = writeAdminFile(dataDir, configured?.username ?? 'admin', hashPassword(password));
        } catch (e) {
          throw new UsageError(`cannot write the admin password to ${dataDir}: ${(e as Error).message}; run this command as the user hookline runs as (or with write access to the data folder)`);
        }
        if (!opts.passwordStdin) console.log(`Admin password: ${password}`);
        console.log(`The admin password in ${file} is changed. A running hookline ends every editor session at its next request: log in again with the new password.`);
      });
  },
};
