import { afterAll, describe, expect, it } from 'vitest';
import { hooks, type HookName } from '../../contracts/index.ts';
import { createHookInvoker, type InvocationRecord } from '../../engine/hooks/index.ts';
import { createPhoneNormalizer } from '../../engine/phone/index.ts';
import { decideStage, type StageInput } from '../../engine/stages/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { compile, createRunner, type HookScript } from '../../sandbox/index.ts';

const runner = createRunner();
afterAll(() => runner.close());

async function setup(sources: Partial<Record<HookName, string>>, filters = {}) {
  const scripts: Partial<Record<HookName, HookScript>> = {};
  for (const [hook, src] of Object.entries(sources) as [HookName, string][]) {
    const c = await compile(src, { hook });
    if (!c.ok) throw new Error(c.error.message);
    scripts[hook] = { version: 7, compiled: c.compiled };
  }
  const records: InvocationRecord[] = [];
  const mem = createMemoryLogger();
  const hooksInvoker = createHookInvoker({ runner, scripts: { published: (h) => scripts[h] ?? null }, log: mem.log, onInvocation: (r) => records.push(r) });
  const ctx = {
    filters,
    normalizePhone: createPhoneNormalizer({ defaultCountry: 'RU', replacements: [{ match: '^8(\\d{10})$', replace: '+7$1' }], format: 'e164' as const }),
    hooks: hooksInvoker,
  };
  return { ctx, records, lines: mem.lines };
}

const stage = (over: Partial<StageInput> = {}): StageInput => ({
  stage: 'conversation_requested',
  linkedid: '1763633700.65',
  call: hooks.need_registration.exampleInput.call_full,
  clientNumber: '89161234567',
  ...over,
});

describe('every stage: lists, need_registration, the client phone', () => {
  it('registers with the built-in replacement and no scripts (defaults, NO_SCRIPT)', async () => {
    const { ctx, records } = await setup({});
    expect(await decideStage(stage(), ctx)).toEqual({ register: true, stage: 'conversation_requested', linkedid: '1763633700.65', phone: '+79161234567' });
    expect(records.map((r) => [r.hook, r.error?.code])).toEqual([
      ['need_registration', 'NO_SCRIPT'],
      ['process_client_phone', 'NO_SCRIPT'],
    ]);
  });

  it('skips a call touching a blacklisted extension before any script runs', async () => {
    const { ctx, records } = await setup({}, { extensions: { blacklist: ['101'], whitelist: [] } });
    expect(await decideStage(stage(), ctx)).toMatchObject({ register: false, reason: 'extension 101 is in the blacklist' });
    expect(records).toEqual([]);
  });

  it('skips a call no whitelisted trunk took part in', async () => {
    const { ctx } = await setup({}, { trunks: { blacklist: [], whitelist: ['PJSIP/other'] } });
    expect(await decideStage(stage(), ctx)).toMatchObject({ register: false, reason: expect.stringMatching(/whitelist/) });
  });

  it('follows need_registration returning false', async () => {
    const { ctx } = await setup({ need_registration: "export default () => ({ data: { result: false }, state: 'success' })" });
    expect(await decideStage(stage(), ctx)).toMatchObject({ register: false, reason: 'need_registration returned false' });
  });

  it('registers with the default when need_registration throws, and logs the failure with hook, version, code and linkedid', async () => {
    const { ctx, records, lines } = await setup({ need_registration: "export default () => { throw new Error('bad script'); }" });
    expect(await decideStage(stage(), ctx)).toMatchObject({ register: true });
    expect(records[0]?.error?.code).toBe('SCRIPT_ERROR');
    expect(lines()).toContainEqual(expect.objectContaining({ hook: 'need_registration', version: 7, code: 'SCRIPT_ERROR', linkedid: '1763633700.65' }));
  });

  it('runs process_client_phone on the replaced number and uses its answer', async () => {
    const { ctx, records } = await setup({ process_client_phone: "export default (i: HookInput): HookResult => ({ data: { phone: i.phone.replace('+7', '8') }, state: 'success' })" });
    expect(await decideStage(stage(), ctx)).toMatchObject({ register: true, phone: '89161234567' });
    expect((records[1]?.input as { phone: string }).phone).toBe('+79161234567');
  });

  it('does not look for a client on an internal call', async () => {
    const { ctx } = await setup({});
    expect(await decideStage(stage({ clientNumber: null }), ctx)).toMatchObject({ register: false, reason: 'internal call: there is no client to register' });
  });
});
