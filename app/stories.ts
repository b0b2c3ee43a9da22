/**
 * The calls' stories as the service wires them (stories/): the store in the data folder within the configured
 * bounds and the recorder fed by the hook invoker, the Kommo client's observer, the tracker's events and the
 * engine's finished calls and outcomes. Null when `stories.enabled` is false.
 */
import { createCapabilities } from '../capabilities/index.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { HookLimits, HookName } from '../contracts/index.ts';
import type { ScriptSource } from '../engine/hooks/index.ts';
import type { Runner } from '../sandbox/index.ts';
import type { Store } from '../scripts-store/index.ts';
import { createStoryRecorder, draftInvoker, draftScripts, dryRun, openStoryStore, type DryRunRequest, type DryRunResult, type StoryRecorder, type StoryStore } from '../stories/index.ts';

export interface ServiceStories {
  store: StoryStore;
  recorder: StoryRecorder;
  /** Where entity links point (the Kommo account's address), known once the Kommo target is chosen. */
  setAccountUrl(url: string): void;
  /** POST /api/calls/dry-run: the drafts (published versions where a hook has none) over recorded calls, nothing sent. */
  dryRunWith(o: DryRunWiring): (req: DryRunRequest) => Promise<DryRunResult>;
  close(): Promise<void>;
}

export interface DryRunWiring {
  store: Store;
  published: ScriptSource;
  runner: Runner;
  config: Config;
  limits?: Partial<Record<HookName, Partial<HookLimits>>>;
  defaultScripts?: HookName[];
}

export function openServiceStories(config: Config, dataDir: string, log: Logger): ServiceStories | null {
  const c = config.stories;
  if (!c.enabled) return null;
  const onError = (m: string) => log.error({ module: 'stories' }, m);
  const store = openStoryStore(dataDir, { maxCalls: c.maxCalls, maxDays: c.maxDays, maxBytes: Math.floor(c.maxMegabytes * 1024 * 1024), eventsCalls: c.eventsCalls, fsync: c.fsync }, { onError });
  let accountUrl: string | undefined;
  const recorder = createStoryRecorder({ store, kommoBaseUrl: () => accountUrl, onError });
  return {
    store, recorder,
    setAccountUrl(url) {
      accountUrl = url;
    },
    dryRunWith(w) {
      return async (req) => {
        const d = await draftScripts(w.store, w.published);
        // The scripts' fetch / kommo.request / store calls are answered from each story, never carried out.
        const invoker = draftInvoker(w.runner, d.scripts, w.limits, w.defaultScripts, createCapabilities({ hooks: w.config.hooks }));
        const account = recorder.accountReads();
        return dryRun({ store, config: w.config, invoker: (s) => invoker.forStory(s), scriptWrites: (id) => invoker.scriptWrites(id), account: account.length ? account : store.account(), drafts: d.drafts }, req);
      };
    },
    async close() {
      recorder.close();
      await store.close();
    },
  };
}
