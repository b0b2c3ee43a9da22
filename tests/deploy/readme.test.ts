/**
 * README.md says only what is true of this repository: the npm scripts it names exist, the `hookline`
 * commands it names exist (and take the options it shows), the configuration keys it names are in the schema,
 * its example configuration is accepted, and the files it links to are there.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkConfig, ConfigSchema } from '../../config/index.ts';

const README = readFileSync('README.md', 'utf8');
const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
const commands = readdirSync('cli/commands').filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));

/** Does the schema have this dotted key (records accept any key)? */
function hasKey(path: string): boolean {
  let s: unknown = ConfigSchema;
  for (const part of path.split('.')) {
    const node = s as { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown> };
    if (node.properties?.[part]) s = node.properties[part];
    else if (node.patternProperties) s = Object.values(node.patternProperties)[0];
    else return false;
  }
  return true;
}

describe('README.md', () => {
  it('names only npm scripts that package.json has', () => {
    const used = [...README.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(0);
    for (const s of new Set(used)) expect(scripts, `npm run ${s}`).toContain(s);
    expect(scripts).toEqual(expect.arrayContaining(['start', 'test']));
  });

  it('names only hookline commands that cli/commands has', () => {
    // as a command is written: `hookline <command>` in the text and the table, npx hookline <command> in code
    const used = [...README.matchAll(/(?:npx hookline|`hookline) ([a-z][a-z-]*)/g)].map((m) => m[1]!);
    expect(used).toEqual(expect.arrayContaining(['start', 'config', 'run', 'check', 'replay', 'calls', 'contracts', 'sim-kommo']));
    for (const c of new Set(used)) expect(commands, `hookline ${c}`).toContain(c);
  });

  it('names only configuration keys that the schema has', () => {
    const keys = [...README.matchAll(/`((?:ami|kommo|pbx|phone|registration|users|hooks|recordings|editor|captures|clickToCall|autodistribution|filters|dataDir)(?:\.[A-Za-z]+)*)`/g)]
      .map((m) => m[1]!)
      .filter((k) => !/\.(jsonl?|bak|md|ts)$/.test(k)); // file names such as captures.jsonl
    expect(keys.length).toBeGreaterThan(10);
    for (const k of new Set(keys)) expect(hasKey(k), `\`${k}\` is not a configuration key`).toBe(true);
  });

  it('its minimal real configuration is accepted (with its secrets in the environment)', () => {
    const block = /A minimal real configuration:\n\n```json\n([\s\S]*?)\n```/.exec(README)?.[1];
    expect(block).toBeDefined();
    const r = checkConfig(JSON.parse(block!), 'README.md', { HOOKLINE_AMI_SECRET: 'a', HOOKLINE_KOMMO_TOKEN: 'b' });
    expect(r.ok ? 'ok' : r.error.message).toBe('ok');
    expect(r.ok && r.value.demo).toBe(false);
  });

  it('links only to files that exist (the editor screenshot is produced by the browser tests)', () => {
    const links = [...README.matchAll(/\]\(((?:docs|deploy|demo|config)\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(links).toContain('docs/img/editor.png');
    for (const l of links.filter((x) => x !== 'docs/img/editor.png')) expect(existsSync(l), l).toBe(true);
    for (const f of ['deploy/hookline.service', 'demo/captures', 'config/hookline.config.schema.json', 'editor/build.ts']) expect(existsSync(f), f).toBe(true);
  });

  it('keeps the two lines that scripts read from npm start', () => {
    expect(README).toMatch(/^Editor: http:\/\/127\.0\.0\.1:8080$/m);
    expect(README).toMatch(/^Admin password: /m);
  });
});
