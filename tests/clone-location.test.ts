/**
 * No file of the project names where one machine keeps its clone: a path in the folder where the first clone
 * lived ("work" at the root, beside its ../shared) or under the folder this clone is in. On CI's clone, in
 * another folder, such a path made tests skip and the AMI bench read fewer captures (issue 15, rough edge 15).
 * The shared fixtures are `../shared` from the project root (tests/helpers/shared.ts).
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { linesMatching, projectFiles, root } from './helpers/project-files.ts';

// Built from parts, so that this file does not name it.
const WORK = ['', 'work', ''].join('/');
const forbidden = [WORK, `${root}/`];
const naming = (line: string) => forbidden.some((p) => line.includes(p));

it(`no project file names ${WORK} or this clone's own folder`, () => {
  const files = projectFiles();
  expect(files.length).toBeGreaterThan(100);
  expect(linesMatching(files, naming)).toEqual([]);
});

it('the check finds such a path (a probe: a file naming the shared fixtures by their absolute path, and one naming the clone)', () => {
  const probe: Record<string, string> = {
    [join(root, 'tests', 'probe.test.ts')]: `import { it } from 'vitest';\nconst SHARED = '${WORK}shared/fixtures/ami';\n`,
    [join(root, 'docs', 'probe.md')]: `Run it from ${root}/scripts.\n`,
    [join(root, 'docs', 'fine.md')]: 'The captures are in ../shared/fixtures/ami.\n',
  };
  expect(linesMatching(Object.keys(probe), naming, (f) => Buffer.from(probe[f] as string))).toEqual([
    `tests/probe.test.ts:2: const SHARED = '${WORK}shared/fixtures/ami';`,
    `docs/probe.md:1: Run it from ${root}/scripts.`,
  ]);
});
