import { readFileSync } from 'node:fs';
import { isHookName, typeCheck } from '../../contracts/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

export const command: CliCommand = {
  define(program) {
    program
      .command('check')
      .description("Type-check a script against its hook's contract; prints file:line:col code message per problem.")
      .argument('<file>', 'the TypeScript script')
      .requiredOption('--hook <hook>', 'the hook the script is for')
      .action((file: string, opts: { hook: string }) => {
        if (!isHookName(opts.hook)) throw new UsageError(`unknown hook "${opts.hook}": see docs/hooks.md for the 13 names`);
        let source: string;
        try {
          source = readFileSync(file, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
        }
        const diags = typeCheck(source, opts.hook, file);
        for (const d of diags) console.log(`${d.file}:${d.line}:${d.column} ${d.code} ${d.message.replace(/\n/g, ' ')}`);
        process.exitCode = diags.length > 0 ? 1 : 0;
      });
  },
};
