import { createIsolateRunner } from '../../sandbox/index.ts';
import { runRunnerSuite } from './runner.case.ts';

runRunnerSuite('in-process isolate runner, synchronous calls', () => createIsolateRunner({ calls: 'sync' }));
