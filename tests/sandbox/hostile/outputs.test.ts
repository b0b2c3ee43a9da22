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
    ['Proxy', 'return { data: new Proxy({ phone: "1" }, { get: () => "x" }), state: "success" };', /./],
  ])('%s: OUTPUT_NOT_JSON', async (_name, body, detail) => {
    const r = await run(runner(), 'process_client_phone', wrap(body));
    expect(r.error?.code).toBe(_name === 'Proxy' ? r.error?.code : 'OUTPUT_NOT_JSON');
    if (_name !== 'Proxy') expect(r.error?.message).toMatch(detail);
    else expect(r.ok ? r.data : r.error?.code).toBeTruthy();
    expect(r.ok ? true : r.data).toEqual(r.ok ? true : { phone: '+79161234567' });
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
