import { describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { expectRunnerStillWorks, run, useRunner } from './helpers.ts';

const returning = (data: string) => `export default function (): any { return { data: ${data}, state: 'success' }; }`;

describe('contract breaches through the runner give CONTRACT_VIOLATION and the default', () => {
  const runner = useRunner();

  it('wrong type (need_registration result as a string)', async () => {
    const r = await run(runner(), 'need_registration', returning('{ result: "no" }'), { linkedid: '1700000000.3' });
    expect(r.error?.code).toBe('CONTRACT_VIOLATION');
    expect(r.error?.message).toBe('need_registration (script v1) on call 1700000000.3 returned data that breaks the contract: /result: expected boolean, found string "no"');
    expect(r.data).toEqual({ result: true });
    await expectRunnerStillWorks(runner());
  });

  it('empty required string (process_client_phone phone "")', async () => {
    const r = await run(runner(), 'process_client_phone', returning('{ phone: "" }'));
    expect(r.error?.code).toBe('CONTRACT_VIOLATION');
    expect(r.error?.message).toMatch(/\/phone: expected a non-empty string/);
    expect(r.data).toEqual({ phone: hooks.process_client_phone.exampleInput.phone });
  });

  it('unknown key where extra keys are not allowed (process_record_file_path)', async () => {
    const r = await run(runner(), 'process_record_file_path', returning('{ path: "/x.mp3", format: "mp3" }'));
    expect(r.error?.code).toBe('CONTRACT_VIOLATION');
    expect(r.error?.message).toMatch(/unknown key "format"/);
  });

  it('customize_autodistribution name over 20 characters', async () => {
    const r = await run(runner(), 'customize_autodistribution', returning('{ number: "101", name: "Anna Petrova-Sidorova Jr" }'));
    expect(r.error?.code).toBe('CONTRACT_VIOLATION');
    expect(r.error?.message).toMatch(/\/name: expected at most 20 characters, found 24/);
    expect(r.data).toEqual({ number: '101', name: 'Anna Petrova' });
  });

  it('customize_autodistribution read-only keys are dropped silently', async () => {
    const r = await run(runner(), 'customize_autodistribution', returning('{ number: "102", name: "Boris", from: "x", trunk: "y", request_data: {}, entity: null, error: "z" }'));
    expect(r).toMatchObject({ ok: true, error: null, data: { number: '102', name: 'Boris' } });
    expect(Object.keys(r.data as object).sort()).toEqual(['name', 'number']);
  });

  it('extra keys pass through where the hook allows them (process_call_params)', async () => {
    const r = await run(runner(), 'process_call_params', "export default function (input: HookInput): HookResult { const { call_full, ...call } = input; return { data: { ...call, call_responsible: 'Anna' }, state: 'success' }; }");
    expect(r.ok).toBe(true);
    expect((r.data as Record<string, unknown>).call_responsible).toBe('Anna');
  });

  it('null where Kommo refuses null (process_contact_creation_params)', async () => {
    const r = await run(runner(), 'process_contact_creation_params', "export default function (input: HookInput): any { const { call_full, ...c } = input; return { data: { ...c, first_name: null }, state: 'success' }; }");
    expect(r.error?.code).toBe('CONTRACT_VIOLATION');
    expect(r.error?.message).toMatch(/\/first_name: null is not allowed/);
  });

  it('post_registration: only state counts', async () => {
    const r = await run(runner(), 'post_registration', "export default function (): any { return { state: 'success', data: { whatever: 1 } }; }");
    expect(r).toMatchObject({ ok: true, data: null, error: null });
  });
});
