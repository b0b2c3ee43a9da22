import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHookName, validateOutput } from '../../contracts/index.ts';

const root = 'tests/fixtures/outputs';
interface Case { hook: string; kind: 'good' | 'bad'; name: string; file: string }
const cases: Case[] = [];
for (const hook of readdirSync(root)) {
  for (const kind of ['good', 'bad'] as const) {
    let files: string[] = [];
    try {
      files = readdirSync(join(root, hook, kind));
    } catch {
      continue;
    }
    for (const f of files) cases.push({ hook, kind, name: f.replace(/\.json$/, ''), file: join(root, hook, kind, f) });
  }
}

describe('output contracts, from fixtures named for the fault', () => {
  it('has fixtures for several hooks', () => {
    expect(new Set(cases.map((c) => c.hook)).size).toBeGreaterThanOrEqual(5);
    for (const c of cases) expect(isHookName(c.hook), c.hook).toBe(true);
  });

  it.each(cases.filter((c) => c.kind === 'bad').map((c) => [`${c.hook}: ${c.name}`, c] as const))('refuses %s', (_n, c) => {
    const fx = JSON.parse(readFileSync(c.file, 'utf8')) as { data: unknown; path: string; detail: string };
    const r = validateOutput(c.hook as never, fx.data);
    expect(r).toEqual({ ok: false, path: fx.path, detail: fx.detail });
  });

  it.each(cases.filter((c) => c.kind === 'good').map((c) => [`${c.hook}: ${c.name}`, c] as const))('accepts %s', (_n, c) => {
    const fx = JSON.parse(readFileSync(c.file, 'utf8')) as { data: unknown; expected: unknown };
    expect(validateOutput(c.hook as never, fx.data)).toEqual({ ok: true, data: fx.expected });
  });

  it('ignores any data for post_registration (only state counts)', () => {
    expect(validateOutput('post_registration', { anything: [1, 2] })).toEqual({ ok: true, data: null });
  });

  it('says data is missing when a script returns none', () => {
    expect(validateOutput('process_client_phone', undefined)).toMatchObject({ ok: false, detail: expect.stringMatching(/data is missing/) });
  });
});
