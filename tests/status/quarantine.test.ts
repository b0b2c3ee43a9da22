/** A quarantined hook is visible: in the status snapshot, in /metrics and in the editor's hook list. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorRoutes } from '../../editor/index.ts';
import { createQuarantine } from '../../engine/hooks/index.ts';
import { createAuth, startHttp } from '../../http/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';
import { createStatus } from '../../status/index.ts';

const T = Date.UTC(2026, 11, 7, 12, 0);

/** need_registration v3 timed out twice in a row: suspended for a minute. */
function suspended() {
  const q = createQuarantine({ after: 2, baseMs: 60_000 });
  q.record('need_registration', 3, 'TIMEOUT', T);
  q.record('need_registration', 3, 'TIMEOUT', T);
  return q;
}

describe('a quarantined hook is visible', () => {
  it('in the status snapshot, per hook, until it ends', () => {
    const q = suspended();
    let now = T + 1_000;
    const status = createStatus({ now: () => now, processMetrics: false });
    status.quarantined(() => q.list(now));
    const s = status.snapshot();
    expect(s.hooks.need_registration?.quarantine).toEqual({ hook: 'need_registration', version: 3, reason: 'TIMEOUT', failures: 2, since: T, until: T + 60_000 });
    expect(s.hooks.process_client_phone?.quarantine).toBeNull();
    now = T + 60_000;
    expect(status.snapshot().hooks.need_registration?.quarantine).toBeNull();
  });

  it('in /metrics: hookline_hook_quarantined is 1 for it and 0 for the others', async () => {
    const q = suspended();
    const status = createStatus({ processMetrics: false });
    status.quarantined(() => q.list(T + 1_000));
    const { body } = await status.metricsText();
    expect(body).toContain('hookline_hook_quarantined{hook="need_registration"} 1');
    expect(body).toContain('hookline_hook_quarantined{hook="process_client_phone"} 0');
  });

  it("in the editor's hook list (GET /api/hooks)", async () => {
    const q = suspended();
    const dir = mkdtempSync(join(tmpdir(), 'hl-quarantine-'));
    const s = await openStore(dir, { flushMs: 60_000 });
    if (!s.ok) throw new Error(s.error.message);
    const runner = createRunner({ isolation: 'in-process' });
    const auth = createAuth(dir, { username: 'admin', password: 'pw' });
    const server = await startHttp({
      auth, port: 0,
      routes: [editorRoutes({ store: s.value, runner, auth, page: false, quarantine: (hook) => q.list(T + 1_000).find((x) => x.hook === hook) ?? null })],
    });
    try {
      const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const r = (await (await fetch(`${server.url}/api/hooks`, { headers: { cookie } })).json()) as { hooks: { hook: string; quarantine: unknown }[] };
      expect(r.hooks.find((h) => h.hook === 'need_registration')?.quarantine).toMatchObject({ version: 3, reason: 'TIMEOUT', until: T + 60_000 });
      expect(r.hooks.find((h) => h.hook === 'process_call_params')?.quarantine).toBeNull();
    } finally {
      await server.close();
      await runner.close();
      await s.value.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
