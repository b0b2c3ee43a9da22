/**
 * The calls' stories as the service wires them (stories/): the store in the data folder within the configured
 * bounds and the recorder fed by the hook invoker, the Kommo client's observer, the tracker's events and the
 * engine's finished calls and outcomes. Null when `stories.enabled` is false.
 */
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { createStoryRecorder, openStoryStore, type StoryRecorder, type StoryStore } from '../stories/index.ts';

export interface ServiceStories {
  store: StoryStore;
  recorder: StoryRecorder;
  /** Where entity links point (the Kommo account's address), known once the Kommo target is chosen. */
  setAccountUrl(url: string): void;
  close(): Promise<void>;
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
    async close() {
      recorder.close();
      await store.close();
    },
  };
}
