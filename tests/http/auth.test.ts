import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../http/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hl-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('editor sessions', () => {
  it('a session ends after 12 hours; the expired ones are dropped at the next login, not kept for good', () => {
    let t = 1_800_000_000_000;
    const auth = createAuth(dir, { username: 'admin', password: 'pw' }, () => t);
    const first = auth.login('admin', 'pw');
    for (let i = 0; i < 9; i++) auth.login('admin', 'pw');
    expect(auth.activeSessions()).toBe(10);
    t += 12 * 3600_000 - 1;
    expect(auth.session(first ?? '')).toEqual({ username: 'admin' });
    t += 2;
    expect(auth.session(first ?? '')).toBeNull();
    const fresh = auth.login('admin', 'pw');
    expect(auth.activeSessions(), 'the nine other expired sessions went with this login').toBe(1);
    expect(auth.session(fresh ?? '')).toEqual({ username: 'admin' });
  });

  it('a script that logs in for every run keeps a bounded number of sessions (1,000 by default): the oldest end first', () => {
    let t = 1_800_000_000_000;
    const auth = createAuth(dir, { username: 'admin', password: 'pw' }, () => t, 5);
    const tokens = [auth.login('admin', 'pw')];
    for (let i = 0; i < 7; i++) {
      t += 1;
      tokens.push(auth.login('admin', 'pw'));
    }
    expect(auth.activeSessions()).toBe(5);
    expect(tokens.map((k) => auth.session(k ?? '') !== null)).toEqual([false, false, false, true, true, true, true, true]);
  });

  it('refuses a wrong user name of any length, and a right one with a wrong password', () => {
    const auth = createAuth(dir, { username: 'admin', password: 'pw' });
    for (const u of ['', 'a', 'admi', 'adminn', 'Admin', 'x'.repeat(1_000)]) expect(auth.login(u, 'pw')).toBeNull();
    expect(auth.login('admin', 'wrong')).toBeNull();
    expect(auth.login('admin', 'pw')).toMatch(/^[\w-]{43}$/);
  });
});
