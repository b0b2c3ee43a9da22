/**
 * `hookline contracts --example <hook>`: a real input for a hook, to try a script with `hookline run`. Its
 * call_full is what the call tracker builds from a demo capture (demo/captures/, an inbound queue call answered
 * by the second member tried), replayed as the demo PBX replays it: fresh ids at a fixed time, one event every
 * half second, each time-stamped as Asterisk does with timestampevents=yes. Where the hook runs after the
 * registrar found the contact (the entity, deal, record link, registration), those fields come from the
 * contract's exampleInput, as do the hook's other fields; the client's phone is the call's. A hook that gets
 * no call_full (customize_autodistribution, process_originate_params: they run before any call exists) prints
 * the contract's exampleInput. Every result is checked against the hook's input schema.
 */
import { parseAmiText } from '../ami-wire/index.ts';
import { hooks, validateInput, type HookName } from '../contracts/index.ts';
import { checkConfig } from '../config/index.ts';
import { DEMO_PBX_SETTINGS, freshCall, loadDemoCaptures, stampBlock } from '../demo/index.ts';
import { trackerConfig } from '../engine/index.ts';
import { closeMissing, initialState, track, type StageEvent } from '../engine/tracker/index.ts';

/** The demo capture the examples come from (its first linkedid's call). */
export const EXAMPLE_CAPTURE = 'caco-inbound-queue-answered';
/** The replay's start, fixed so that the example is the same every time: 2025-11-20 10:15:00 UTC. */
const START_SEC = 1_763_633_700;
const EVENT_GAP_MS = 500;
/** Fields of call_full the registrar fills in (the tracker leaves them empty). */
const REGISTRAR_FIELDS = ['entity', 'deal', 'record', 'registration'] as const;

export type ExampleInput = { ok: true; input: unknown; source: string } | { ok: false; message: string };

function trackedCall(): { events: StageEvent[]; name: string } | { error: string } {
  const loaded = loadDemoCaptures();
  if (!loaded.ok) return { error: `${loaded.error.message} ${loaded.error.hint}` };
  const capture = loaded.value.find((c) => c.name === EXAMPLE_CAPTURE);
  if (!capture) return { error: `demo/captures/${EXAMPLE_CAPTURE}.ami is missing` };
  const fresh = freshCall(capture.text, { seq: 1, channel: 1, bridge: 1 }, START_SEC);
  const text = fresh.blocks.map((b, i) => stampBlock(b, START_SEC * 1000 + i * EVENT_GAP_MS)).join('');
  // The built-in defaults (whatever configuration file is around), with the demo's trunk, as the demo runs.
  const c = checkConfig({}, null, {});
  if (!c.ok) return { error: c.error.message };
  let state = initialState(trackerConfig({ ...c.value.config.pbx, trunks: [...DEMO_PBX_SETTINGS.trunks] }));
  const linkedid = fresh.linkedids.get(capture.linkedids[0] ?? '');
  const events: StageEvent[] = [];
  for (const ev of parseAmiText(text)) {
    const r = track(state, ev);
    state = r.state;
    events.push(...r.emitted);
  }
  events.push(...closeMissing(state, new Set()).emitted);
  return { events: events.filter((e) => e.linkedid === linkedid), name: capture.name };
}

export function exampleInput(hook: HookName): ExampleInput {
  const contract = hooks[hook];
  const example = structuredClone(contract.exampleInput) as Record<string, unknown>;
  const exampleCall = example.call_full as Record<string, unknown> | undefined;
  if (!exampleCall) return { ok: true, input: example, source: `the contract's exampleInput (${hook} gets no call_full)` };
  const tracked = trackedCall();
  if ('error' in tracked) return { ok: false, message: `the demo capture could not be read: ${tracked.error}` };
  const atConversation = exampleCall.active_conversation_id !== '';
  const stage = typeof example.call_stage === 'string' ? example.call_stage : 'conversation_accepted';
  const event = atConversation ? tracked.events.find((e) => e.stage === stage) : tracked.events.find((e) => e.stage === 'call_ended');
  if (!event) return { ok: false, message: `the demo capture ${tracked.name} has no ${atConversation ? stage : 'call_ended'} stage` };
  const call = structuredClone(event.call) as unknown as Record<string, unknown>;
  for (const k of REGISTRAR_FIELDS) if (exampleCall[k] !== null && exampleCall[k] !== '' && exampleCall[k] !== undefined) call[k] = exampleCall[k];
  const input: Record<string, unknown> = { ...example, call_full: call };
  if (typeof example.phone === 'string') input.phone = (call.channel as { from: { number: string } }).from.number;
  const checked = validateInput(hook, input);
  if (!checked.ok) return { ok: false, message: `the input built from ${tracked.name} does not fit ${hook}'s contract at ${checked.path}: ${checked.detail}` };
  return { ok: true, input, source: `call ${event.linkedid} of the demo capture ${tracked.name} (stage ${event.stage}), through the call tracker` };
}
