import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHookRunner, createSupervisor } from '../../sandbox/index.ts';
import { run } from './helpers.ts';
import { runRunnerSuite } from './runner.case.ts';

// Replay's children (createRunner({ children: 2, calls: 'sync' })): the same outcomes with synchronous calls.
runRunnerSuite('supervised child, synchronous calls (replay)', () => createSupervisor({ calls: 'sync' }));

describe('a supervised child with calls: sync', () => {
  it('is started with the flag that makes its calls synchronous', async () => {
    const sup = createSupervisor({ calls: 'sync' });
    const runner = createHookRunner(sup);
    try {
      await run(runner, 'process_client_phone', "export default (i: HookInput): HookResult => ({ data: { phone: i.phone }, state: 'success' });");
      const pid = sup.pid();
      expect(pid).toBeTypeOf('number');
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--calls=sync');
    } finally {
      await runner.close();
    }
  });
});
