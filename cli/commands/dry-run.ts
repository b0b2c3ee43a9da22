/**
 * `hookline dry-run`: the recorded calls of a data folder run again with the drafts (published versions where a
 * hook has none), Kommo's reads served from each call's story, nothing sent; prints, per call, the writes that
 * would change. Only reads the folder, so it runs beside the service.
 */
import { resolve } from 'node:path';
import { createCapabilities } from '../../capabilities/index.ts';
import { HOOK_NAMES, type HookName } from '../../contracts/index.ts';
import { loadConfig } from '../../config/index.ts';
import { compile, createRunner, type HookScript } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';
import { draftInvoker, draftScripts, dryRun, openStoryStore } from '../../stories/index.ts';
import { UsageError, type CliCommand } from '../command.ts';

export const command: CliCommand = {
  define(program) {
    program
      .command('dry-run')
      .description("Run recorded calls again with the drafts (published versions where a hook has none): Kommo's reads are served from each call's story and nothing is sent. Prints, per call, the writes that would change.")
      .option('--limit <n>', 'the newest N recorded calls', '200')
      .option('--linkedid <id>', 'this call (repeatable; instead of --limit)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option('--data <dir>', 'the data folder (default: dataDir of the configuration)')
      .option('--config <file>', 'configuration file (the one hookline runs with: trunks, lists, registration settings, users)')
      .option('--json', 'print the whole result as JSON')
      .action(async (opts: { limit: string; linkedid: string[]; data?: string; config?: string; json?: boolean }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError(`--limit "${opts.limit}" is not a whole number from 1 to 100000`);
        const loaded = loadConfig({ file: opts.config });
        if (!loaded.ok) throw new UsageError(`${loaded.error.message}\n${loaded.error.hint}`);
        const config = loaded.value.config;
        const dataDir = resolve(opts.data ?? config.dataDir);
        const s = await openStore(dataDir, { readOnly: true });
        if (!s.ok) throw new UsageError(`${s.error.message}\n${s.error.hint}`);
        const store = s.value;
        const stories = openStoryStore(dataDir, undefined, { readOnly: true });
        if (stories.list({ limit: 1 }).length === 0) throw new UsageError(`no call's story is kept in ${dataDir}/stories: run hookline with stories.enabled (the default) first, or give --data`);
        const runner = createRunner();
        try {
          const published = new Map<HookName, HookScript>();
          for (const hook of HOOK_NAMES) {
            const v = store.published(hook);
            if (!v) continue;
            const c = await compile(v.source, { hook, version: v.version });
            if (c.ok) published.set(hook, { version: v.version, compiled: c.compiled });
          }
          const d = await draftScripts(store, { published: (h) => published.get(h) ?? null });
          const invoker = draftInvoker(runner, d.scripts, config.hooks, undefined, createCapabilities({ hooks: config.hooks }));
          const result = await dryRun({ store: stories, config, invoker: (s) => invoker.forStory(s), scriptWrites: (id) => invoker.scriptWrites(id), account: stories.account(), drafts: d.drafts }, opts.linkedid.length ? { linkedids: opts.linkedid } : { limit });
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(result)}\n`);
            return;
          }
          const { summary: x } = result;
          const drafts = result.drafts.map((r) => `${r.hook}${r.error ? ` (does not compile: ${r.error.code}; its published version ran)` : ''}`);
          process.stdout.write(`drafts: ${drafts.length ? drafts.join(', ') : 'none (the published versions ran)'}\n`);
          process.stdout.write(`publishing these drafts changes ${x.changed} of ${x.total} calls (${x.unchanged} unchanged, ${x.failed} could not be run) — nothing was sent\n`);
          for (const c of result.calls) {
            if (c.status === 'unchanged') continue;
            process.stdout.write(`\n${c.linkedid} ${c.direction} ${c.from} → ${c.to}: ${c.status}${c.error ? ` ${c.error.code}: ${c.error.message}` : ''}\n`);
            for (const ch of c.changes) process.stdout.write(`  ${ch.method} ${ch.route} #${ch.index + 1}\n${ch.diff.split('\n').filter((l) => !l.startsWith('  ')).map((l) => `    ${l}`).join('\n')}\n`);
          }
          if (x.failed > 0) process.exitCode = 1;
        } finally {
          await runner.close();
          await stories.close();
          await store.close();
        }
      });
  },
};
