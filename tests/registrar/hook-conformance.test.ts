/**
 * The CRM hook points against docs (../shared/spec/hooks.md and the seed documentation): what each hook is
 * given and what the engine does with what it returns, where that was found to differ. Real parts only:
 * sim/pbx over TCP or the engine's own registrar, real isolates, sim/kommo over HTTP.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hooks, type HookName } from '../../contracts/index.ts';
import type { HookInvoker } from '../../engine/hooks/index.ts';
import { createRecordings } from '../../engine/recordings/index.ts';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/engine-harness.ts';

let h: Harness | undefined;
let tmp: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

/** A harness whose registrar links recordings (no MP3 conversion: the original file is linked). */
async function withRecordings(o: HarnessOptions): Promise<{ h: Harness; monitor: string }> {
  tmp = mkdtempSync(join(tmpdir(), 'hl-conf-'));
  const monitor = join(tmp, 'monitor');
  mkdirSync(monitor, { recursive: true });
  const recordings = (invoker: HookInvoker) => createRecordings({ dir: monitor, dataDir: join((tmp as string), 'data'), publicBaseUrl: 'http://hookline.test', invoker });
  h = await startHarness({ ...o, engine: { ...(o.engine ?? {}), recordings } });
  return { h, monitor };
}

/** Plays a capture as a fresh call and expects it registered; returns its linkedid. */
async function playOne(x: Harness, file: string): Promise<string> {
  const before = x.outcomes.length;
  await x.play(file, { fresh: true });
  const out = x.outcomes.slice(before);
  expect(out).toEqual([expect.objectContaining({ ok: true })]);
  return out[0]?.linkedid as string;
}

/** The input the hook last received for this call (the engine captures every input for replay). */
function captured(x: Harness, hook: HookName, linkedid: string): Record<string, unknown> | undefined {
  return x.store.captures(hook).find((c) => c.linkedid === linkedid)?.input as Record<string, unknown> | undefined;
}

describe('process_unsorted_creation_params', () => {
  it('a recorded call from a new client: the incoming lead carries the recording link (metadata.link), and the hook sees it', async () => {
    const { h, monitor } = await withRecordings({ kommo: { account: 'empty' }, config: { registration: { mode: 'unsorted' } } });
    const wav = join(monitor, 'in-101-1763633700.65.wav');
    writeFileSync(wav, 'RIFF....WAVE');
    const linkedid = '1763633700.65';
    const call_full = { ...structuredClone(hooks.process_record_file_path.exampleInput.call_full), entity: null, record: wav };
    await h.engine.registrar.submit({ linkedid, phone: '+79161234567', direction: 'inbound', call_full, answeredBy: '101', lastUser: '101', recording: wav });
    await h.engine.idle();
    expect(h.outcomes).toEqual([expect.objectContaining({ linkedid, ok: true })]);
    const s = h.kommo.state();
    expect(s.unsorted).toHaveLength(1);
    // In unsorted mode no call log is written: the incoming lead is the only place the recording can reach Kommo.
    expect(s.calls).toEqual([]);
    const link = s.unsorted[0]?.metadata.link;
    expect(link).toMatch(/^http:\/\/hookline\.test\/recordings\/[^/]+\/in-101-1763633700\.65\.wav$/);
    const input = captured(h, 'process_unsorted_creation_params', linkedid);
    expect((input?.metadata as Record<string, unknown>).link).toBe(link);
    expect((input?.call_full as Record<string, unknown>).record).toBe(link);
  });
});

describe('process_lead_creation_params', () => {
  it("a client known as a company: the script shapes the company's new lead (its input is the lead body, linked to the company)", async () => {
    h = await startHarness({ kommo: { account: 'empty' }, config: { registration: { createLead: true } } });
    const [company] = h.kommo.seedCompanies([{ name: 'Mulder Transport BV', phones: ['+31150010001'], responsible_user_id: 5_001_003 }]);
    expect(await h.engine.registrar.refreshAccount()).toEqual({ ok: true });
    await h.publish('process_lead_creation_params', `export default function (input: any) {
  const { call_full, ...lead } = input;
  return { data: { ...lead, name: 'Company call: ' + lead.name, price: 990 }, state: 'success' };
}`);
    const linkedid = await playOne(h, 'caco-inbound-queue-caller-abandon.ami');
    const s = h.kommo.state();
    expect(s.leads).toEqual([expect.objectContaining({ company_id: company?.id, name: 'Company call: +31150010001 - missed incoming', price: 990 })]);
    expect(captured(h, 'process_lead_creation_params', linkedid)).toMatchObject({ _embedded: { companies: [{ id: company?.id }] } });
    // The script ran: hookline did not refuse the input it built itself.
    expect(h.logLines().filter((l) => l.hook === 'process_lead_creation_params' && l.code === 'INVALID_INPUT')).toEqual([]);
  });
});

describe('process_task_creation_params after process_contact_update_params', () => {
  // caco-originate-ctd-outbound-busy: extension 201 calls Jan Visser (+31260010001, contact 1000001, responsible
  // 5001002 in the demo account); nobody answers, so a task follows. users {201: 5001004}.
  it("responsibleMode 0 (the entity's responsible): the task goes to the responsible the update just set", async () => {
    h = await startHarness({ config: { registration: { updateResponsible: true }, users: { '201': 5_001_004 } } });
    await h.publish('process_contact_update_params', `export default function (input: any) {
  const { call_full, ...update } = input;
  return { data: { ...update, responsible_user_id: 5001003 }, state: 'success' };
}`);
    const linkedid = await playOne(h, 'caco-originate-ctd-outbound-busy.ami');
    const s = h.kommo.state();
    expect(s.contacts.find((c) => c.id === 1_000_001)?.responsible_user_id).toBe(5_001_003);
    expect(s.tasks).toEqual([expect.objectContaining({ entity_type: 'contacts', entity_id: 1_000_001, responsible_user_id: 5_001_003 })]);
    // The hooks after the update read the contact as it now is.
    const task = captured(h, 'process_task_creation_params', linkedid);
    expect((task?.call_full as { entity: { responsible_user_id: number } }).entity.responsible_user_id).toBe(5_001_003);
    const call = captured(h, 'process_call_params', linkedid);
    expect((call?.call_full as { entity: { responsible_user_id: number } }).entity.responsible_user_id).toBe(5_001_003);
  });
});

describe('process_task_creation_params', () => {
  it('a missed call from a client known as a company: the script shapes the task attached to the company', async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
    const [company] = h.kommo.seedCompanies([{ name: 'Mulder Transport BV', phones: ['+31150010001'], responsible_user_id: 5_001_003 }]);
    expect(await h.engine.registrar.refreshAccount()).toEqual({ ok: true });
    await h.publish('process_task_creation_params', `export default function (input: any) {
  const { call_full, ...task } = input;
  return { data: { ...task, text: 'Company: ' + task.text }, state: 'success' };
}`);
    const linkedid = await playOne(h, 'caco-inbound-queue-caller-abandon.ami');
    expect(h.kommo.state().tasks).toEqual([expect.objectContaining({ entity_type: 'companies', entity_id: company?.id, text: 'Company: Call back Mulder Transport BV on a missed call from +31150010001' })]);
    expect(captured(h, 'process_task_creation_params', linkedid)).toMatchObject({ entity_type: 'companies', entity_id: company?.id });
    expect(h.logLines().filter((l) => l.hook === 'process_task_creation_params' && l.code === 'INVALID_INPUT')).toEqual([]);
  });
});

describe('need_registration and process_client_phone: call_full at the stages', () => {
  // caco-originate-ctd-outbound-answered: extension 201 (users {201: 5001004}, Daan Bakker) calls +31260010001.
  it("each conversation's user is the Kommo user of its extension (call_full.md), so a script can decide by it", async () => {
    h = await startHarness({ config: { users: { '201': 5_001_004 } } });
    // Registers only calls in which a conversation rang Daan Bakker.
    await h.publish('need_registration', `export default function (input: any) {
  const users = Object.values(input.call_full.conversations).map((c: any) => c.user);
  return { data: { result: users.some((u: any) => u && u.id === 5001004) }, state: 'success' };
}`);
    const linkedid = await playOne(h, 'caco-originate-ctd-outbound-answered.ami');
    expect(h.kommo.state().calls).toEqual([expect.objectContaining({ uniq: linkedid })]);
    const stages = h.store.captures('process_client_phone').filter((c) => c.linkedid === linkedid);
    expect(stages.length).toBeGreaterThan(0);
    for (const c of stages) {
      const users = Object.values((c.input as { call_full: { conversations: Record<string, { user: unknown }> } }).call_full.conversations).map((x) => x.user);
      expect(users).toContainEqual({ id: 5_001_004, name: 'Daan Bakker', extension: '201' });
    }
  });
});

describe('a failing script is recorded with hook, version, linkedid, code, message and duration', () => {
  it('process_client_phone past its timeout (config hooks.process_client_phone.timeoutMs): the log line says how long it ran', async () => {
    h = await startHarness({ kommo: { account: 'empty' }, config: { hooks: { process_client_phone: { timeoutMs: 150 } } } });
    await h.publish('process_client_phone', `export default async function (input: any) { await new Promise(() => {}); return { data: { phone: 'never' }, state: 'success' }; }`);
    const linkedid = await playOne(h, 'caco-inbound-queue-caller-abandon.ami');
    // The default (the input phone) was used.
    expect(h.kommo.state().calls).toEqual([expect.objectContaining({ uniq: linkedid, phone: '+31150010001' })]);
    expect(h.store.failures('process_client_phone')[0]).toMatchObject({ code: 'TIMEOUT', version: 1, linkedid });
    const lines = h.logLines().filter((l) => l.hook === 'process_client_phone' && l.code === 'TIMEOUT');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).toMatchObject({ linkedid, version: 1 });
      expect(String(l.msg)).toContain('did not finish within 150 ms');
      expect(l.durationMs).toBeGreaterThanOrEqual(150);
    }
  });
});
