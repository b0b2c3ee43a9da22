import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { editorTypings, errorsDoc, hooksDoc, isHookName } from '../../contracts/index.ts';
import { UsageError, type CliCommand } from '../command.ts';
import { exampleInput } from '../example-input.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The files derived from contracts/, each with the text it must hold. A test compares them. */
export function generatedFiles(): { path: string; text: string }[] {
  return [
    { path: 'docs/hooks.md', text: hooksDoc() },
    { path: 'docs/errors.md', text: errorsDoc() },
    { path: 'contracts/generated/hooks.d.ts', text: editorTypings() },
  ];
}

export const command: CliCommand = {
  define(program) {
    program
      .command('contracts')
      .description('Print what is derived from the hook contracts: the editor\'s .d.ts, the hook table, the error table.')
      .option('--dts', 'print the .d.ts the editor loads (all hooks, or one with --hook)')
      .option('--hook <hook>', 'with --dts: the typings of one hook, with HookInput, HookData and HookResult')
      .option('--docs', 'print docs/hooks.md')
      .option('--errors', 'print docs/errors.md')
      .option('--example <hook>', "print a real input for the hook, as JSON (for hookline run --input): its call_full built by the call tracker from the demo capture caco-inbound-queue-answered, the fields the registrar fills and the hook's other fields from the contract's exampleInput; a hook that gets no call_full prints the contract's exampleInput. Where it came from is said on stderr")
      .option('--write', 'rewrite the generated files (docs/hooks.md, docs/errors.md, contracts/generated/hooks.d.ts)')
      .action((opts: { dts?: boolean; hook?: string; docs?: boolean; errors?: boolean; write?: boolean; example?: string }) => {
        if (opts.hook !== undefined && !isHookName(opts.hook)) throw new UsageError(`unknown hook "${opts.hook}": see docs/hooks.md for the 13 names`);
        if (opts.example !== undefined) {
          if (!isHookName(opts.example)) throw new UsageError(`unknown hook "${opts.example}": see docs/hooks.md for the 13 names`);
          const r = exampleInput(opts.example);
          if (!r.ok) throw new UsageError(r.message);
          process.stdout.write(`${JSON.stringify(r.input, null, 2)}\n`);
          console.error(`hookline: the input of ${opts.example} from ${r.source}`);
        } else if (opts.write) {
          for (const f of generatedFiles()) {
            mkdirSync(dirname(join(root, f.path)), { recursive: true });
            writeFileSync(join(root, f.path), f.text);
            console.log(`wrote ${f.path}`);
          }
        } else if (opts.dts) process.stdout.write(editorTypings(opts.hook as never));
        else if (opts.docs) process.stdout.write(hooksDoc());
        else if (opts.errors) process.stdout.write(errorsDoc());
        else throw new UsageError('say what to print: --dts, --docs, --errors, or --write; or --example <hook> for a hook input');
      });
  },
};
