import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../config/index.ts';
import { walkSchema } from '../../config/schema.ts';

// What the generated hook docs and the editor's typings send a reader to must be there.
const configKeys = new Set([...walkSchema(ConfigSchema)].map(([path]) => path));

describe('references in docs/hooks.md and the editor typings', () => {
  it.each(['docs/hooks.md', 'contracts/generated/hooks.d.ts'])('every "config `key`" in %s is a key of docs/config.md', (file) => {
    const named = [...readFileSync(file, 'utf8').matchAll(/config `([^`]+)`/g)].map((m) => m[1] as string);
    expect(named.filter((k) => !configKeys.has(k)), 'not configuration keys').toEqual([]);
  });

  it('the place docs/hooks.md names for call_full describes its fields', () => {
    const line = readFileSync('docs/hooks.md', 'utf8').split('\n').find((l) => l.startsWith('`call_full` (the whole call'));
    expect(line, 'the sentence that says where call_full is described').toBeTruthy();
    const pages = [...(line as string).matchAll(/`(docs\/[^`]+\.md)`/g)].map((m) => m[1] as string);
    const command = /`npx hookline contracts --dts`/.test(line as string);
    expect(pages.length > 0 || command, line).toBe(true);
    // A field of call_full and its description, as contracts/call-full.ts gives them.
    for (const page of pages) {
      expect(existsSync(page), page).toBe(true);
      expect(readFileSync(page, 'utf8'), `${page} does not describe call_full`).toContain('active_conversation_id');
    }
    if (command) {
      const r = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'contracts', '--dts'], { encoding: 'utf8' });
      expect(r.stdout).toContain('active_conversation_id');
      expect(r.stdout).toContain('uniqueid of the conversation this stage is about');
    }
  });
});
