import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookName } from '../../contracts/index.ts';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';

// The CRM hook points end to end: sim/pbx (AMI over TCP) → engine (real isolates) → sim/kommo (HTTP).
// Each test publishes a script, plays a capture with fresh linkedids, and reads what Kommo received.
//
// Which extension takes a call in the fixtures (`hookline calls <fixture>`): for inbound calls `answered_by`
// is the client-side number of the first answered leg (+31150010001, +31150010004), never a numeric extension,
// and config `users` only maps numeric extensions; the outbound click-to-dial captures are placed by extension
// 201, which is the call's user (registrar callUser: lastUser for outbound). So the update hook points are
// exercised with caco-originate-ctd-outbound-answered.ami (Jan Visser, +31260010001, responsible 5001002,
// open lead 2000001) and users {201: 5001004}.

const ABANDON = 'caco-inbound-queue-caller-abandon.ami'; // inbound, missed, +31150010001 → a task
const CTD_BUSY = 'caco-originate-ctd-outbound-busy.ami'; // outbound, busy, +31260010001 → a task
const CTD_ANSWERED = 'caco-originate-ctd-outbound-answered.ami'; // outbound, answered by 201's callee, +31260010001
const QUEUE_ANSWERED = 'caco-inbound-queue-answered.ami'; // inbound, answered, +31150010001

const PASS = `export default function (input: any) { const { call_full, ...data } = input; return { data, state: 'success' }; }`;
const POST_OK = `export default function () { return { state: 'success' }; }`;

/** A script that changes the hook's default data (`change` is JS on `data`, the input without call_full). */
function script(change: string): string {
  return `export default function (input: any) {
  const { call_full, ...data } = input;
  ${change}
  return { data, state: 'success' };
}`;
}

const FAILING = {
  SCRIPT_ERROR: `export default function (input: any) { throw new Error('boom from the test'); }`,
  BAD_STATE: `export default function (input: any) { const { call_full, ...data } = input; return { data: { ...data, name: 'never', text: 'never', call_result: 'never' }, state: 'error' }; }`,
} as const;

/** A contract violation per hook: a required field of the wrong type. */
const VIOLATION: Partial<Record<HookName, string>> = {
  process_contact_creation_params: script(`data.name = 42;`),
  process_call_params: script(`data.call_status = 'talked';`),
  process_task_creation_params: script(`data.text = '';`),
};

/** Plays a capture with fresh linkedids; returns the outcomes it produced. */
async function playFresh(h: Harness, file: string) {
  const before = h.outcomes.length;
  await h.play(file, { fresh: true });
  return h.outcomes.slice(before);
}

function posts(h: Harness, path: string) {
  return h.kommo.requests({ method: 'POST', path });
}

/** Bodies of the items sent to a write route (each request carries an array). */
function items(h: Harness, method: string, path: string): Record<string, unknown>[] {
  return h.kommo.requests({ method, path }).flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body])) as Record<string, unknown>[];
}

describe('contact mode, empty account: contact creation, call params, task creation, post_registration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function fresh(hook: HookName, source: string) {
    h.resetKommo('empty');
    await h.publish(hook, source);
    const out = await playFresh(h, ABANDON);
    await h.publish(hook, hook === 'post_registration' ? POST_OK : PASS);
    return out;
  }

  it('process_contact_creation_params: a custom name and an extra tag reach Kommo', async () => {
    const out = await fresh('process_contact_creation_params', script(`data.name = 'Caller ' + data.name.slice(8); data.tags = [...data.tags, 'vip']; data.first_name = 'Eva';`));
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const s = h.kommo.state();
    expect(s.contacts).toHaveLength(1);
    expect(s.contacts[0]).toMatchObject({ name: 'Caller +31150010001', first_name: 'Eva' });
    expect(s.contacts[0]?.tags.map((t) => t.name).sort()).toEqual(['hookline', 'vip']);
    // The phone field of the default body is still there.
    expect(JSON.stringify(s.contacts[0]?.custom_fields_values)).toContain('+31150010001');
    // The call log and the task attach to the contact the script shaped.
    expect(s.calls[0]).toMatchObject({ entity_type: 'contact', entity_id: s.contacts[0]?.id });
    expect(s.tasks[0]?.text).toBe('Call back Caller +31150010001 on a missed call from +31150010001');
  });

  it('process_call_params: call_result text and call_status reach Kommo', async () => {
    const out = await fresh('process_call_params', script(`data.call_result = 'Gave up in the queue'; data.call_status = 5;`));
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const s = h.kommo.state();
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ call_result: 'Gave up in the queue', call_status: 5, uniq: out[0]?.linkedid, phone: '+31150010001' });
  });

  it('process_task_creation_params: the task text and type reach Kommo', async () => {
    const out = await fresh('process_task_creation_params', script(`data.text = 'Ring ' + data.text.slice(5) + ' before noon'; data.task_type = 2;`));
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const s = h.kommo.state();
    expect(s.tasks).toHaveLength(1);
    expect(s.tasks[0]).toMatchObject({ text: 'Ring back Contact +31150010001 on a missed call from +31150010001 before noon', task_type_id: 2, entity_type: 'contacts', entity_id: s.contacts[0]?.id });
  });

  it('post_registration: a failing script is recorded, the call is still registered', async () => {
    const out = await fresh('post_registration', `export default function (input: any) { throw new Error('post failed for ' + input.call_full.channel.from.number); }`);
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const linkedid = out[0]?.linkedid;
    const s = h.kommo.state();
    expect(s.calls.map((c) => c.uniq)).toEqual([linkedid]);
    expect(s.tasks).toHaveLength(1);
    const f = h.store.failures('post_registration').find((x) => x.linkedid === linkedid);
    expect(f).toMatchObject({ code: 'SCRIPT_ERROR', linkedid });
    expect(f?.message).toContain('post failed for +31150010001');
    expect(h.engine.outbox.outcome(linkedid as string)?.ok).toBe(true);
  });

  // A failing script: Kommo receives the hook's default body, the call is registered, the failure is recorded.
  const DEFAULTS: { hook: HookName; check: (h: Harness) => void }[] = [
    {
      hook: 'process_contact_creation_params',
      check: (x) => {
        const s = x.kommo.state();
        expect(s.contacts.map((c) => c.name)).toEqual(['Contact +31150010001']);
        expect(s.contacts[0]?.tags.map((t) => t.name)).toEqual(['hookline']);
      },
    },
    {
      hook: 'process_call_params',
      check: (x) => {
        const s = x.kommo.state();
        expect(s.calls).toHaveLength(1);
        expect(s.calls[0]).toMatchObject({ call_status: 6, direction: 'inbound', source: 'hookline' });
        expect(s.calls[0]?.call_result).not.toBe('never');
      },
    },
    {
      hook: 'process_task_creation_params',
      check: (x) => {
        expect(x.kommo.state().tasks.map((t) => t.text)).toEqual(['Call back Contact +31150010001 on a missed call from +31150010001']);
      },
    },
  ];
  for (const { hook, check } of DEFAULTS) {
    for (const code of ['SCRIPT_ERROR', 'BAD_STATE', 'CONTRACT_VIOLATION'] as const) {
      it(`${hook}: a script failing with ${code} → Kommo gets the default body, the call is registered, the failure is recorded`, async () => {
        const source = code === 'CONTRACT_VIOLATION' ? (VIOLATION[hook] as string) : FAILING[code];
        const out = await fresh(hook, source);
        expect(out).toEqual([expect.objectContaining({ ok: true })]);
        const linkedid = out[0]?.linkedid as string;
        check(h);
        const s = h.kommo.state();
        expect(s.calls.map((c) => c.uniq)).toEqual([linkedid]);
        expect(s.tasks).toHaveLength(1);
        const f = h.store.failures(hook).filter((x) => x.linkedid === linkedid);
        expect(f).toEqual([expect.objectContaining({ code, linkedid })]);
        // Nothing Kommo refused: the default went out the first time.
        expect(h.kommo.requests({ status: 400 })).toEqual([]);
      });
    }
  }

  it('process_call_params: call_status 99 breaks the contract (1..8) → CONTRACT_VIOLATION, the default goes out', async () => {
    const out = await fresh('process_call_params', script(`data.call_status = 99;`));
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    expect(h.store.failures('process_call_params').filter((f) => f.linkedid === out[0]?.linkedid)).toEqual([expect.objectContaining({ code: 'CONTRACT_VIOLATION' })]);
    expect(posts(h, '/api/v4/calls').map((r) => r.status)).toEqual([200]);
    expect(h.kommo.state().calls[0]).toMatchObject({ call_status: 6, uniq: out[0]?.linkedid });
  });

  it('process_call_params: a responsible user Kommo does not know (400) → the default body is sent, the call is registered', async () => {
    const out = await fresh('process_call_params', script(`data.responsible_user_id = 424242; data.call_result = 'scripted';`));
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const linkedid = out[0]?.linkedid;
    const sent = posts(h, '/api/v4/calls');
    expect(sent.map((r) => r.status)).toEqual([400, 200]);
    expect(JSON.stringify(sent[0]?.response)).toContain('responsible_user_id');
    expect((sent[0]?.body as Record<string, unknown>[])[0]).toMatchObject({ responsible_user_id: 424242, call_result: 'scripted', uniq: linkedid });
    expect((sent[1]?.body as Record<string, unknown>[])[0]).toMatchObject({ call_status: 6, uniq: linkedid });
    expect((sent[1]?.body as Record<string, unknown>[])[0]?.responsible_user_id).not.toBe(424242);
    const s = h.kommo.state();
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ call_status: 6, uniq: linkedid });
    expect(s.calls[0]?.call_result).not.toBe('scripted');
    expect(h.logLines().some((l) => l.hook === 'process_call_params' && l.linkedid === linkedid && String(l.msg).startsWith('Kommo refused what process_call_params built'))).toBe(true);
  });

  it('process_contact_creation_params: a responsible user Kommo does not know (400) → the default contact is created', async () => {
    const out = await fresh('process_contact_creation_params', script(`data.responsible_user_id = 424242; data.name = 'Scripted';`));
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const sent = posts(h, '/api/v4/contacts');
    expect(sent.map((r) => r.status)).toEqual([400, 200]);
    expect(JSON.stringify(sent[0]?.response)).toContain('responsible_user_id');
    const s = h.kommo.state();
    expect(s.contacts.map((c) => c.name)).toEqual(['Contact +31150010001']);
    expect(s.contacts[0]?.responsible_user_id).not.toBe(424242);
    // The later steps read the contact that was created, not the one the script asked for.
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ entity_id: s.contacts[0]?.id, uniq: out[0]?.linkedid });
    expect(s.calls[0]?.responsible_user_id).not.toBe(424242);
    expect(s.tasks.map((t) => t.text)).toEqual(['Call back Contact +31150010001 on a missed call from +31150010001']);
  });

  it('process_task_creation_params: a task Kommo refuses (400) → the default task is created', async () => {
    const out = await fresh('process_task_creation_params', script(`data.responsible_user_id = 424242; data.text = 'Scripted';`));
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    expect(posts(h, '/api/v4/tasks').map((r) => r.status)).toEqual([400, 200]);
    expect(h.kommo.state().tasks.map((t) => t.text)).toEqual(['Call back Contact +31150010001 on a missed call from +31150010001']);
  });
});

describe('unsorted mode, empty account: process_unsorted_creation_params', () => {
  let h: Harness;
  afterAll(async () => {
    await h?.close();
  });

  it('the lead name, a contact name and extra metadata reach the incoming lead', async () => {
    h = await startHarness({ kommo: { account: 'empty' }, config: { registration: { mode: 'unsorted' } } });
    await h.publish('process_unsorted_creation_params', script(`
      data._embedded.leads = data._embedded.leads.map((l: any) => ({ ...l, name: 'Hotline: ' + l.name, price: 250 }));
      data._embedded.contacts = data._embedded.contacts.map((c: any) => ({ ...c, name: 'Queue caller' }));`));
    const out = await playFresh(h, QUEUE_ANSWERED);
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const linkedid = out[0]?.linkedid;
    const s = h.kommo.state();
    expect(s.unsorted).toHaveLength(1);
    expect(s.unsorted[0]).toMatchObject({ source_uid: linkedid, metadata: expect.objectContaining({ uniq: linkedid }) });
    const lead = s.leads.find((l) => l.id === s.unsorted[0]?.lead_id);
    expect(lead).toMatchObject({ name: 'Hotline: +31150010001 - incoming', price: 250 });
    const contact = s.contacts.find((c) => c.id === s.unsorted[0]?.contact_ids[0]);
    expect(contact?.name).toBe('Queue caller');
    const sent = items(h, 'POST', '/api/v4/leads/unsorted/sip');
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0])).toContain('Hotline: +31150010001 - incoming');
  });
});

describe('createLead, empty account: process_lead_creation_params', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kommo: { account: 'empty' }, config: { registration: { createLead: true } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the lead name and price reach Kommo; the call and the task attach to that lead', async () => {
    h.resetKommo('empty');
    await h.publish('process_lead_creation_params', script(`data.name = 'Call-back: ' + data.name; data.price = 4200;`));
    const out = await playFresh(h, CTD_BUSY);
    await h.publish('process_lead_creation_params', PASS);
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const s = h.kommo.state();
    expect(s.leads).toHaveLength(1);
    expect(s.leads[0]).toMatchObject({ name: 'Call-back: +31260010001 - missed outgoing', price: 4200, contact_ids: [s.contacts[0]?.id] });
    expect(s.calls[0]).toMatchObject({ entity_type: 'lead', entity_id: s.leads[0]?.id });
    expect(s.tasks[0]).toMatchObject({ entity_type: 'leads', entity_id: s.leads[0]?.id });
  });

  it('a lead Kommo refuses (400: unknown responsible) → the default lead is created, and the call and task follow it', async () => {
    h.resetKommo('empty');
    await h.publish('process_lead_creation_params', script(`data.responsible_user_id = 424242; data.name = 'Scripted lead';`));
    const out = await playFresh(h, CTD_BUSY);
    await h.publish('process_lead_creation_params', PASS);
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    expect(posts(h, '/api/v4/leads').map((r) => r.status)).toEqual([400, 200]);
    const s = h.kommo.state();
    expect(s.leads.map((l) => l.name)).toEqual(['+31260010001 - missed outgoing']);
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ entity_type: 'lead', entity_id: s.leads[0]?.id, uniq: out[0]?.linkedid });
    expect(s.calls[0]?.responsible_user_id).toBe(s.leads[0]?.responsible_user_id);
    expect(s.tasks).toHaveLength(1);
  });
});

describe('updateResponsible, demo account, users {201: 5001004}: process_contact_update_params, process_lead_update_params', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { registration: { updateResponsible: true, createLead: true }, users: { '201': 5_001_004 } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('without scripts: the caller extension 201 (user 5001004) becomes responsible for Jan Visser and his open lead', async () => {
    h.resetKommo('demo');
    const out = await playFresh(h, CTD_ANSWERED);
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const s = h.kommo.state();
    expect(s.contacts.find((c) => c.id === 1_000_001)?.responsible_user_id).toBe(5_001_004);
    expect(s.leads.find((l) => l.id === 2_000_001)?.responsible_user_id).toBe(5_001_004);
    expect(s.leads).toHaveLength(1);
  });

  it('scripts change the contact and lead updates (another responsible, extra fields)', async () => {
    h.resetKommo('demo');
    await h.publish('process_contact_update_params', script(`data.responsible_user_id = 5001003; data.first_name = 'Jan (called back)';`));
    await h.publish('process_lead_update_params', script(`data.responsible_user_id = 5001001; data.price = 1500;`));
    const out = await playFresh(h, CTD_ANSWERED);
    await h.publish('process_contact_update_params', PASS);
    await h.publish('process_lead_update_params', PASS);
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const s = h.kommo.state();
    expect(s.contacts.find((c) => c.id === 1_000_001)).toMatchObject({ responsible_user_id: 5_001_003, first_name: 'Jan (called back)' });
    expect(s.leads.find((l) => l.id === 2_000_001)).toMatchObject({ responsible_user_id: 5_001_001, price: 1500 });
    // The other contacts are untouched.
    expect(s.contacts.find((c) => c.id === 1_000_002)?.responsible_user_id).toBe(5_001_003);
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ entity_type: 'lead', entity_id: 2_000_001, uniq: out[0]?.linkedid });
  });

  it('process_lead_update_params: an update Kommo refuses (400) → the default update is sent', async () => {
    h.resetKommo('demo');
    await h.publish('process_lead_update_params', script(`data.responsible_user_id = 424242;`));
    const out = await playFresh(h, CTD_ANSWERED);
    await h.publish('process_lead_update_params', PASS);
    expect(out).toEqual([expect.objectContaining({ ok: true })]);
    const patches = h.kommo.requests({ method: 'PATCH' }).filter((r) => r.path.startsWith('/api/v4/leads'));
    expect(patches.map((r) => r.status)).toEqual([400, 200]);
    expect(h.kommo.state().leads.find((l) => l.id === 2_000_001)?.responsible_user_id).toBe(5_001_004);
    expect(h.kommo.state().calls).toHaveLength(1);
  });
});
