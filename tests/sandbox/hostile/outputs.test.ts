import { describe, expect, it } from 'vitest';
import { expectRunnerStillWorks, run, useRunner } from '../helpers.ts';

const wrap = (expr: string) => `export default function (input: any): any { ${expr} }`;

describe('outputs that are not plain JSON never reach the host as code', () => {
  const runner = useRunner();

  it.each([
    ['cyclic', 'const data: any = { phone: "1" }; data.self = data; return { data, state: "success" };', /refers back to itself/],
    ['BigInt', 'return { data: { phone: 10n }, state: "success" };', /is a BigInt/],
    ['function', 'return { data: { phone: () => "1" }, state: "success" };', /is a function/],
    ['getter', 'return { data: { get phone() { return "1"; } }, state: "success" };', /is a getter or setter/],
    ['toJSON', 'return { data: { phone: "1", toJSON() { return { phone: "2" }; } }, state: "success" };', /is a toJSON method/],
    ['undefined value', 'return { data: { phone: undefined }, state: "success" };', /is undefined/],
    ['NaN', 'return { data: { phone: NaN }, state: "success" };', /NaN \(not a finite number\)/],
    ['class instance', 'class P { phone = "1"; } return { data: new P(), state: "success" };', /not a plain object/],
    ['sparse array', 'return { data: { phone: "1", list: [1, , 3] }, state: "success" };', /the result\.data\.list is a sparse array/],
    ['named property on an array', 'const list: any = [1]; list.extra = 2; return { data: { phone: "1", list }, state: "success" };', /list\[extra\] is a named property of an array/],
    ['symbol key', 'return { data: { phone: "1", [Symbol("s")]: 1 }, state: "success" };', /has symbol keys/],
  ])('%s: OUTPUT_NOT_JSON', async (_name, body, detail) => {
    const r = await run(runner(), 'process_client_phone', wrap(body));
    expect(r.error?.code).toBe('OUTPUT_NOT_JSON');
    expect(r.error?.message).toMatch(detail);
    expect(r).toMatchObject({ ok: false, data: { phone: '+79161234567' } });
    await expectRunnerStillWorks(runner());
  });

  it('a Proxy whose get trap lies: the text sent is what was checked, not what the trap returns', async () => {
    const r = await run(runner(), 'process_client_phone', wrap('return { data: new Proxy({ phone: "checked" }, { get: () => "smuggled" }), state: "success" };'));
    expect(r).toMatchObject({ ok: true, data: { phone: 'checked' } });
    await expectRunnerStillWorks(runner());
  });

  it('Object.prototype.toJSON planted by the script does not change the text sent', async () => {
    const r = await run(runner(), 'process_client_phone', wrap('(Object.prototype as any).toJSON = () => ({ t: "ok", json: "{}" }); return { data: { phone: "mine" }, state: "success" };'));
    expect(r).toMatchObject({ ok: true, data: { phone: 'mine' } });
    await expectRunnerStillWorks(runner());
  });

  it('built-ins replaced by the script at its top level do not blind the check: a getter is still OUTPUT_NOT_JSON', async () => {
    const src = 'Object.getOwnPropertyNames = () => []; Object.getOwnPropertyDescriptor = () => ({ value: 1, enumerable: true }) as any; (JSON as any).stringify = () => "{}"; Array.isArray = () => false;\n' + wrap('return { data: { get phone() { return "1"; } }, state: "success" };');
    const r = await run(runner(), 'process_client_phone', src);
    expect(r.error?.code).toBe('OUTPUT_NOT_JSON');
    expect(r.error?.message).toMatch(/the result\.data\.phone is a getter or setter/);
    await expectRunnerStillWorks(runner());
  });

  it('an output over the size limit: OUTPUT_TOO_LARGE', async () => {
    const r = await run(runner(), 'process_client_phone', wrap('return { data: { phone: "9".repeat(300 * 1024) }, state: "success" };'));
    expect(r.error?.code).toBe('OUTPUT_TOO_LARGE');
    expect(r.error?.message).toMatch(/returned \d+ bytes of JSON, over the limit of 262144 bytes/);
    await expectRunnerStillWorks(runner());
  });

  it('a configured smaller size limit applies', async () => {
    const r = await run(runner(), 'process_client_phone', wrap('return { data: { phone: "123456789" }, state: "success" };'), { limits: { maxOutputBytes: 20 } });
    expect(r.error?.code).toBe('OUTPUT_TOO_LARGE');
  });
});
