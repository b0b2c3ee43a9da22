import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCapabilities } from '../../capabilities/index.ts';
import { isHookName } from '../../contracts/index.ts';
import { loadConfig } from '../../config/index.ts';
import { replay, runTestCases } from '../../editor/index.ts';
import { recordingsCapabilities } from '../../engine/recordings/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

export const command: CliCommand = {
  define(program) {
    program
      .command('replay')
      .description("Run a script against the hook's inputs captured from real calls, beside the published version, and show what would change; then the hook's test cases (exit 1 when the script fails on an input or a case fails).")
      .argument('<hook>', 'the hook')
      .requiredOption('--script <file.ts>', 'the draft to try')
      .option('--limit <n>', 'the newest N captures (default all)', (v) => {
        if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--limit takes a positive number, not "${v}"`);
        return Number(v);
      })
      .option('--json', 'print one JSON object {summary, results, tests}')
      .option('--config <file>', 'configuration file (dataDir; the hook\'s limits hooks.<hook>)')
      .option('--data <dir>', 'the data folder (default: dataDir from the configuration, ./data)')
      .action(async (hook: string, opts: { script: string; limit?: number; json?: boolean; config?: string; data?: string }) => {
        if (!isHookName(hook)) throw new UsageError(`unknown hook "${hook}": see docs/hooks.md for the 13 names`);
        let source: string;
        try {
          source = readFileSync(opts.script, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read the script ${opts.script}: ${(e as Error).message}`);
        }
        const c = loadConfig({ file: opts.config });
        if (!c.ok) throw new UsageError(`${c.error.message}\n${c.error.hint}`);
        const dir = opts.data ?? c.value.config.dataDir;
        // Read-only: hookline may be running on the same folder; a replay must not write (or 'repair') its files.
        const s = await openStore(resolve(dir), { readOnly: true });
        if (!s.ok) throw new UsageError(`${s.error.message}\n${s.error.hint}`);
        // As the editor's replays run (app/service.ts): two children, the draft and the published version side by
        // side, with synchronous calls; and as the engine runs it, a process_record_file_path draft can convert
        // recordings (into the cache only).
        const runner = createRunner({ children: 2, calls: 'sync', capabilities: recordingsCapabilities({ dir: c.value.config.recordings.dir, dataDir: resolve(dir) }) });
        try {
          // The hook's limits as the engine applies them (hooks.<hook> in the config, over the contract's defaults).
          const limits = c.value.config.hooks[hook];
          // Scripts' fetch / kommo / store calls are answered from the captures and never sent (issue 19).
          const capabilities = createCapabilities({ hooks: c.value.config.hooks });
          const r = await replay({ store: s.value, runner, hook, draftSource: source, limit: opts.limit, capabilities, ...(limits ? { limits } : {}) });
          if (!r.ok) {
            console.error(`hookline: ${r.error.code}: ${r.error.message}\n${r.error.hint}`);
            process.exitCode = 1;
            return;
          }
          const { summary, results } = r.report;
          // The hook's test cases (issue 17): every replay runs them.
          const t = await runTestCases({ runner, hook, source, cases: s.value.testCases(hook), ...(limits ? { limits } : {}) });
          const tests = t.ok ? t.report : null;
          if (opts.json) {
            process.stdout.write(`${JSON.stringify({ ...r.report, tests })}\n`);
          } else {
            for (const x of results) {
              const err = x.draft.error ? ` ${x.draft.error.code}: ${x.draft.error.message}` : '';
              console.log(`${x.verdict.padEnd(9)} ${x.id} call ${x.linkedid ?? '-'} ${x.time} (${x.draft.durationMs.toFixed(1)} ms)${err}`);
              // createTwoFilesPatch starts with one '=' rule line, then the '---' and '+++' headers: keep the headers.
              // Issue 19: what the draft would have sent (a replay never sends).
              for (const w of x.draft.wouldSend ?? []) console.log(`    would send: ${w.kind === 'store.set' ? 'store.set' : `${w.kind} ${w.method}`} ${w.target}${w.recorded ? '' : ' (not in the capture)'}`);
              if (x.diff) console.log(x.diff.split('\n').filter((l, k) => !(k === 0 && /^=+$/.test(l))).map((l) => `    ${l}`).join('\n'));
            }
            for (const x of tests?.results ?? []) {
              console.log(`${x.pass ? 'pass' : 'FAIL'}      test case "${x.name}"${x.error ? ` ${x.error.code}: ${x.error.message}` : ''}`);
              if (x.diff) console.log(x.diff.split('\n').filter((l, k) => !(k === 0 && /^=+$/.test(l))).map((l) => `    ${l}`).join('\n'));
            }
            if (tests?.summary.total) console.log(`${tests.summary.total} test cases: ${tests.summary.passed} pass, ${tests.summary.failed} fail`);
            console.log(`${summary.total} inputs: ${summary.changed} changed, ${summary.unchanged} unchanged, ${summary.failed} failed`);
          }
          process.exitCode = summary.failed > 0 || (tests?.summary.failed ?? 0) > 0 ? 1 : 0;
        } finally {
          await runner.close();
        }
      });
  },
};
