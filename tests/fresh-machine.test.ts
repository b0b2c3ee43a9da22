/**
 * `npm install && npm test` needs no program from the system (issue 15): the tests take chromium, ffmpeg and
 * ffprobe from npm packages through tests/helpers/binaries.ts, and the service finds its encoder on the PATH or
 * in npm (sandbox/encoder.ts). So no source names a system path of these programs, and no test launches a
 * browser by a path of its own. `.ci/fresh-machine` runs the tests with the system's copies hidden.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { linesMatching, projectFiles, root } from './helpers/project-files.ts';

// Built from parts, so that this file does not match itself.
const SYSTEM_PATH = new RegExp(['/usr/', '(local/)?', 'bin/', '(chromium|ffmpeg|ffprobe|lame)', '\\b'].join(''));
const OWN_BROWSER = new RegExp(['executable', 'Path:'].join(''));
const HELPER = join(root, 'tests', 'helpers', 'binaries.ts');

const offending = (files: string[], read?: (f: string) => Buffer) => [
  ...linesMatching(files, (l) => SYSTEM_PATH.test(l), read),
  ...linesMatching(files.filter((f) => f !== HELPER), (l) => OWN_BROWSER.test(l), read),
];
const sources = (files: string[]) => files.filter((f) => /\.(ts|js|mjs|json|sh)$/.test(f) || f.startsWith(join(root, '.ci')));

it('no source names a system chromium, ffmpeg, ffprobe or lame, and no test launches a browser of its own', () => {
  expect(offending(sources(projectFiles()))).toEqual([]);
});

it('the check finds them (a probe: the lines these files had before)', () => {
  const probe: Record<string, string> = {
    [join(root, 'tests', 'recordings', 'media.ts')]: `  execFileSync('${'/usr/bin/'}ffmpeg', [\n`,
    [join(root, 'tests', 'editor-web', 'page.test.ts')]: `    ${'executable'}Path: '/opt/chrome',\n`,
    [join(root, 'sandbox', 'capabilities.ts')]: `  run(o.lamePath ?? '${'/usr/bin/'}lame', args)\n  run('ffmpeg-normalize')\n`,
  };
  expect(offending(Object.keys(probe), (f) => Buffer.from(probe[f] as string))).toEqual([
    `tests/recordings/media.ts:1: ${probe[join(root, 'tests', 'recordings', 'media.ts')]?.trim()}`,
    `sandbox/capabilities.ts:1: ${probe[join(root, 'sandbox', 'capabilities.ts')]?.split('\n')[0]?.trim()}`,
    `tests/editor-web/page.test.ts:1: ${probe[join(root, 'tests', 'editor-web', 'page.test.ts')]?.trim()}`,
  ]);
});
