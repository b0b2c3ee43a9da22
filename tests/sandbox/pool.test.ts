import { describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { script } from './helpers.ts';

describe('a runner with two sandbox children', () => {
  it('runs different scripts side by side with the same results as one child', async () => {
    const runner = createRunner({ children: 2 });
    try {
      const a = await script('process_client_phone', "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + 'a' }, state: 'success' });");
      const b = await script('process_client_phone', "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + 'b' }, state: 'success' });");
      const input = hooks.process_client_phone.exampleInput;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runner.invoke('process_client_phone', i % 2 ? a : b, input)));
      expect(results.map((r) => (r.data as { phone: string }).phone.slice(-1))).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 'a' : 'b')));
    } finally {
      await runner.close();
    }
  });
});
