import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { createPublishedScripts, recordInto } from '../../app/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { silentLogger } from '../../log/index.ts';
import { compile, createRunner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';

const runner = createRunner();
afterAll(() => runner.close());
const check = async (source: string) => {
  const c = await compile(source, { hook: 'process_client_phone' });
  return c.ok ? null : c.error;
};
const phoneScript = (suffix: string) => `export default (i: HookInput): HookResult => ({ data: { phone: i.phone + '${suffix}' }, state: 'success' });`;

describe('the engine runs published versions, swapped in without a restart', () => {
  it('uses a new version for the next invocation, a rollback likewise, never a draft; captures inputs and failures', async () => {
    const r = await openStore(mkdtempSync(join(tmpdir(), 'hl-pub-')), { flushMs: 60_000 });
    if (!r.ok) throw new Error(r.error.message);
    const store = r.value;
    await store.publish('process_client_phone', { source: phoneScript('-v1'), message: 'v1', author: 'a', check });
    const scripts = createPublishedScripts(store, runner, silentLogger);
    await scripts.ready;
    const invoker = createHookInvoker({ runner, scripts, log: silentLogger, onInvocation: recordInto(store) });
    const input = hooks.process_client_phone.exampleInput;
    const phone = async () => (await invoker.invoke('process_client_phone', input, { linkedid: '5.1' })).data.phone;

    expect(await phone()).toBe('+79161234567-v1');
    await store.saveDraft('process_client_phone', phoneScript('-draft'), 'a');
    expect(await phone()).toBe('+79161234567-v1');

    await store.publish('process_client_phone', { message: 'v2', author: 'a', check });
    await scripts.settled(); // the swap happens once the new isolate is warm
    expect(await phone()).toBe('+79161234567-draft');

    await store.rollback('process_client_phone', { author: 'a' });
    await scripts.settled();
    expect(await phone()).toBe('+79161234567-v1');

    const refused = await store.publish('process_client_phone', { source: 'export default (', message: 'broken', author: 'a', check });
    expect(refused.ok).toBe(false);
    expect(await phone()).toBe('+79161234567-v1');

    expect(store.captures('process_client_phone').length).toBe(5);
    expect(store.captures('process_client_phone')[0]).toMatchObject({ linkedid: '5.1', input });
    scripts.close();
  });
});
