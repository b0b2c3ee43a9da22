import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';

// caco-originate-ctd-outbound-busy: a click-to-call from extension 201 to +31260010001 (Jan Visser, whose
// lead and contact belong to user 5_001_002), busy: an unanswered outbound call, so a task is set. sim/kommo,
// like Kommo, refuses a call log naming a user the account does not have (400 NotSupportedChoice).
describe('Kommo user ids in the configuration that the account does not have', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('are reported once at start with their config path, and never sent to Kommo: the fallback user stands in', async () => {
    h = await startHarness({
      config: {
        users: { '201': 999_001, '202': 5_001_002 },
        registration: { defaultUserId: 999_002, tasks: { responsibleMode: 1 } },
      },
    });
    const reported = h.logLines().filter((l) => l.code === 'KOMMO_UNKNOWN_USER');
    expect(reported.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^registration\.defaultUserId names Kommo user 999002, which this account does not have; user 5001001 \(Alice Smit\) takes its place/),
      expect.stringMatching(/^users\.201 names Kommo user 999001, which this account does not have; calls of extension 201 go to user 5001001/),
    ]);
    expect(reported.every((l) => String(l.hint).includes('GET /api/v4/users'))).toBe(true);

    await h.play('caco-originate-ctd-outbound-busy.ami');
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    const writes = h.kommo.requests().filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    const sent = JSON.stringify(writes.map((r) => r.body));
    expect(sent).not.toContain('999001');
    expect(sent).not.toContain('999002');
    // responsibleMode 1 (the user of the call: 201, mapped to the unknown id) fell back to the usable
    // choice: the client's responsible.
    const [task] = h.kommo.state().tasks;
    expect(task?.responsible_user_id).toBe(5_001_002);
    expect(h.kommo.state().calls).toEqual([expect.objectContaining({ direction: 'outbound', phone: '+31260010001' })]);
    // Reported at start only, not per call.
    expect(h.logLines().filter((l) => l.code === 'KOMMO_UNKNOWN_USER')).toHaveLength(2);
  });

  it('a user deleted in Kommo while hookline runs is found by the next refresh of the users, said once, and no longer sent', async () => {
    h = await startHarness({ config: { users: { '201': 5_001_004 } } });
    expect(h.logLines().filter((l) => l.code === 'KOMMO_UNKNOWN_USER')).toEqual([]);
    expect(h.kommo.removeUser(5_001_004)).toBe(true);
    expect(await h.engine.registrar.refreshAccount()).toEqual({ ok: true });
    expect(await h.engine.registrar.refreshAccount()).toEqual({ ok: true });
    expect(h.logLines().filter((l) => l.code === 'KOMMO_UNKNOWN_USER').map((l) => l.msg)).toEqual([
      expect.stringMatching(/^users\.201 names Kommo user 5001004, which this account does not have/),
    ]);
    await h.play('caco-originate-ctd-outbound-busy.ami');
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    expect(h.kommo.requests({ status: 400 })).toEqual([]);
    expect(JSON.stringify(h.kommo.requests().filter((r) => r.method !== 'GET').map((r) => r.body))).not.toContain('5001004');
  });

  it('a user deleted in Kommo before the next refresh: the 400 that names the user refreshes the users at once, and the call is registered with the fallback', async () => {
    h = await startHarness({ config: { users: { '201': 5_001_004 } } });
    expect(h.kommo.removeUser(5_001_004)).toBe(true); // no refresh: hookline still maps 201 to 5_001_004
    await h.play('caco-originate-ctd-outbound-busy.ami');
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    // Kommo refused the user once; the users were read again, said once, and the retry sent the fallback.
    const refused = h.kommo.requests({ status: 400 });
    expect(refused).toHaveLength(1);
    expect(JSON.stringify(refused[0]?.body)).toContain('5001004');
    expect(h.logLines().filter((l) => l.code === 'KOMMO_UNKNOWN_USER').map((l) => l.msg)).toEqual([
      expect.stringMatching(/^users\.201 names Kommo user 5001004, which this account does not have/),
    ]);
    // As when the id is unknown from the start: the usable choice is the client's responsible (Jan Visser's lead).
    expect(h.kommo.state().calls).toEqual([expect.objectContaining({ direction: 'outbound', phone: '+31260010001', responsible_user_id: 5_001_002 })]);
    expect(h.kommo.state().tasks.map((t) => t.responsible_user_id)).toEqual([5_001_002]);
    expect(h.logLines().filter((l) => /deleted in Kommo while hookline runs \(5001004\)/.test(String(l.msg)))).toHaveLength(1);
  });

  it('known ids give no report', async () => {
    h = await startHarness({ config: { users: { '201': 5_001_002 }, registration: { defaultUserId: 5_001_004 } } });
    await h.play('caco-originate-ctd-outbound-busy.ami');
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    // The known mapping is used: the call log names 201's user.
    expect(h.kommo.state().calls[0]?.responsible_user_id).toBe(5_001_002);
    expect(h.logLines().filter((l) => l.code === 'KOMMO_UNKNOWN_USER')).toEqual([]);
  });
});
