import { createSupervisor } from '../../sandbox/index.ts';
import { runRunnerSuite } from './runner.case.ts';

runRunnerSuite('supervised child (the engine path)', () => createSupervisor());
