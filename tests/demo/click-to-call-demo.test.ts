/**
 * Click-to-call in the demo, as `npm start` runs it: the service generates a click-to-call token, the demo PBX
 * answers the Originate with the click-to-dial capture dialling the clicked number, and the engine registers
 * that call in the Kommo emulator as outbound, on the contact that has the number.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startService, type Service } from '../../app/index.ts';
import { checkConfig } from '../../config/index.ts';
import { silentLogger } from '../../log/index.ts';

let service: Service | undefined;
const dir = mkdtempSync(join(tmpdir(), 'hl-demo-c2c-'));
afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function click(body: unknown, token: string) {
  const r = await fetch(`http://127.0.0.1:${service?.editor?.port}/api/click-to-call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

it('the demo answers a click-to-call with a call to the clicked number, registered as outbound on its contact', async () => {
  const checked = checkConfig({ dataDir: join(dir, 'data'), editor: { port: 0 } }, null, {});
  if (!checked.ok) throw new Error(checked.error.message);
  service = await startService({ config: checked.value.config, demo: true, log: silentLogger, demoPbx: { paceMs: 5 } });
  const token = service.demoClickToCallToken;
  expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
  expect((await click({ number: '+31612345678', user_id: 5_001_001 }, 'wrong')).status).toBe(401);

  const r = await click({ number: '+31 6 1234 5678', user_id: 5_001_001 }, token as string);
  expect(r.status).toBe(200);
  const kommo = service.kommoSim;
  if (!kommo) throw new Error('the demo runs the Kommo emulator');
  const clicked = () => kommo.state().calls.filter((c) => c.phone === '+31612345678');
  await expect.poll(() => clicked().length, { timeout: 30_000, interval: 200 }).toBe(1);
  // Eva Mulder (contact 1_000_002) has the number as her mobile; user 5_001_001 is extension 201, who rang first.
  expect(clicked()[0]).toMatchObject({ direction: 'outbound', call_status: 4, entity_id: 1_000_002, entity_type: 'contact', responsible_user_id: 5_001_001 });
  expect(service.demoPbx?.clicksAnswered()).toBe(1);
});
