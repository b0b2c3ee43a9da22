/**
 * Issue 19 item 5: the four templates of scripts that act type-check against the editor's typings (fetch,
 * kommo, store are declared) and run: the three that send, in recorded mode, list what they would send and send
 * nothing; round robin runs live against a store in a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities } from '../../capabilities/index.ts';
import { CAPABILITY_TEMPLATES, hooks, typeCheck, type HookContract } from '../../contracts/index.ts';

const exampleCallFull = hooks.post_registration.exampleInput.call_full;
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { invokeWith } from './helpers.ts';

let runner: Runner;
let dir: string;
beforeAll(() => {
  runner = createRunner({ isolation: 'in-process' });
  dir = mkdtempSync(join(tmpdir(), 'hookline-templates-'));
});
afterAll(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

const template = (name: string) => {
  const t = CAPABILITY_TEMPLATES.find((x) => x.name === name);
  if (!t) throw new Error(`no template ${name}`);
  return t;
};
const capsFor = (name: string) => {
  const t = template(name);
  return createCapabilities({ hooks: { [t.hook]: t.grant }, storeDir: join(dir, 'hook-store') });
};
const missed = { call_full: { ...exampleCallFull, result: 480, deal: { id: 2000001, is_new: false, name: 'Deal', pipeline_id: 1, responsible_user_id: 5001001, status_id: 1 } } };

describe('capability templates', () => {
  it.each(CAPABILITY_TEMPLATES.map((t) => [t.name, t] as const))('%s type-checks against the editor typings', (_name, t) => {
    expect(typeCheck(t.source, t.hook)).toEqual([]);
    expect((hooks[t.hook] as HookContract).name).toBe(t.hook);
  });

  it('webhook after registration: would POST the call, sends nothing in a replay', async () => {
    const { r, session } = await invokeWith(runner, capsFor('webhook after registration'), 'post_registration', template('webhook after registration').source, { mode: { kind: 'recorded', calls: [] }, input: missed });
    expect(r.error).toBeNull();
    expect(session.wouldSend()).toEqual([{ kind: 'fetch', method: 'POST', target: 'https://hooks.example.com/hookline/calls', recorded: false, body: JSON.stringify({ linkedid: exampleCallFull.channel.id, from: '+79161234567', to: '101', result: 480, lead: 2000001 }) }]);
  });

  it('messenger notification: only for a missed call', async () => {
    const caps = capsFor('messenger notification');
    const source = template('messenger notification').source;
    const answered = await invokeWith(runner, caps, 'post_registration', source, { mode: { kind: 'recorded', calls: [] } });
    expect(answered.session.wouldSend()).toEqual([]);
    const m = await invokeWith(runner, caps, 'post_registration', source, { mode: { kind: 'recorded', calls: [] }, input: missed });
    expect(m.session.wouldSend().map((w) => `${w.method} ${w.target}`)).toEqual(['POST https://api.telegram.org/bot123456:replace-with-your-bot-token/sendMessage']);
  });

  it('note on the lead: a granted Kommo write on the deal', async () => {
    const m = await invokeWith(runner, capsFor('note on the lead'), 'post_registration', template('note on the lead').source, { mode: { kind: 'recorded', calls: [] }, input: missed });
    expect(m.r.error).toBeNull();
    expect(m.session.wouldSend()).toEqual([{ kind: 'kommo', method: 'POST', target: '/api/v4/leads/2000001/notes', recorded: false, body: JSON.stringify([{ note_type: 'common', params: { text: 'Call from +79161234567 (result 480)' } }]) }]);
  });

  it('round-robin distribution: each extension in turn for unknown callers', async () => {
    const caps = capsFor('round-robin distribution');
    const input = { ...structuredClone(hooks.customize_autodistribution.exampleInput), number: '', name: '' };
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push(((await invokeWith(runner, caps, 'customize_autodistribution', template('round-robin distribution').source, { input })).r.data as { number: string }).number);
    expect(got).toEqual(['101', '102', '103', '101']);
  });
});
