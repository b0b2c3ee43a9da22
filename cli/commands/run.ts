import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { isHookName, validateInput } from '../../contracts/index.ts';
import { recordingsCapabilities } from '../../engine/recordings/index.ts';
import { compile, createRunner } from '../../sandbox/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
}

function parseNow(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new UsageError(`--now takes epoch milliseconds or an ISO date, not "${v}"`);
  return n;
}

export const command: CliCommand = {
  define(program) {
    program
      .command('run')
      .description('Run one invocation of a script as the engine would, and print one JSON object: {ok, data, error, logs, durationMs}.')
      .argument('<hook>', 'the hook the script is for')
      .requiredOption('--script <file.ts>', 'the TypeScript script')
      .requiredOption('--input <file.json>', 'the hook input (JSON)')
      .option('--now <time>', 'pin Date inside the script (epoch ms or ISO date), as a replay does')
      .option('--config <file>', 'configuration file (the hook\'s limits hooks.<hook>; recordings.dir and dataDir, for the convertToMp3 of process_record_file_path)')
      .option('--seed <n>', 'seed Math.random inside the script', (v) => {
        if (!/^-?\d+$/.test(v)) throw new UsageError(`--seed takes an integer, not "${v}"`);
        return Number(v);
      })
      .action(async (hook: string, opts: { script: string; input: string; now?: string; seed?: number; config?: string }) => {
        if (!isHookName(hook)) throw new UsageError(`unknown hook "${hook}": see docs/hooks.md for the 13 names`);
        const source = readText(opts.script, 'script');
        let input: unknown;
        try {
          input = JSON.parse(readText(opts.input, 'input'));
        } catch (e) {
          if (e instanceof UsageError) throw e;
          throw new UsageError(`the input ${opts.input} is not JSON: ${(e as Error).message}`);
        }
        const checked = validateInput(hook, input);
        if (!checked.ok) {
          throw new UsageError(`the input ${opts.input} does not match the input of ${hook}: ${checked.detail}. See docs/hooks.md, or \`npx hookline contracts --dts --hook ${hook}\`.`);
        }
        const now = parseNow(opts.now);
        const t0 = performance.now();
        const compiled = await compile(source, { hook, version: 'local', filename: opts.script });
        let out;
        if (!compiled.ok) {
          const { defaultData } = await import('../../contracts/index.ts');
          out = { ok: false, data: defaultData(hook, checked.data as never), error: compiled.error, logs: [], durationMs: performance.now() - t0 };
        } else {
          const c = loadConfig({ file: opts.config });
          if (!c.ok) throw new UsageError(`${c.error.message}\n${c.error.hint}`);
          // As the engine runs it: process_record_file_path gets convertToMp3 (reading recordings.dir, writing the cache).
          const runner = createRunner({ capabilities: recordingsCapabilities({ dir: c.value.config.recordings.dir, dataDir: resolve(c.value.config.dataDir) }) });
          try {
            // The hook's limits as the engine applies them (hooks.<hook> in the config, over the contract's defaults).
            const limits = c.value.config.hooks[hook];
            out = await runner.invoke(hook, { version: 'local', compiled: compiled.compiled }, input, { now, seed: opts.seed, ...(limits ? { limits } : {}) });
          } finally {
            await runner.close();
          }
        }
        const error = out.error && out.error.code !== 'NO_SCRIPT' ? { code: out.error.code, message: out.error.message, hint: out.error.hint } : null;
        process.stdout.write(`${JSON.stringify({ ok: out.ok, data: out.data, error, logs: out.logs, durationMs: Math.round(out.durationMs * 1000) / 1000 })}\n`);
        process.exitCode = out.ok ? 0 : 1;
      });
  },
};
