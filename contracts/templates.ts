/**
 * Templates of scripts that act (issue 19): each with the hook it is for and the config grant it needs. Shown
 * in docs/hooks.md (generated) and compiled and run by tests/capabilities/templates.test.ts (and the webhook
 * and the note end to end in tests/capabilities/e2e.test.ts).
 */
import type { HookName } from './contract.ts';

export interface CapabilityTemplate {
  name: string;
  hook: HookName;
  summary: string;
  /** The hooks.<hook> section it needs (JSON). */
  grant: Record<string, unknown>;
  source: string;
}

export const CAPABILITY_TEMPLATES: CapabilityTemplate[] = [
  {
    name: 'webhook after registration',
    hook: 'post_registration',
    summary: 'POSTs the call to your system once it is registered in Kommo.',
    grant: { fetch: { allow: ['https://hooks.example.com/hookline/*'], timeoutMs: 3000 } },
    source: `// post_registration: tell another system about every registered call.
export default async function (input: HookInput): Promise<HookResult> {
  const call = input.call_full;
  const res = await fetch('https://hooks.example.com/hookline/calls', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ linkedid: call.channel.id, from: call.channel.from.number, to: call.channel.to.number, result: call.result, lead: call.deal?.id ?? null }),
  });
  if (!res.ok) console.warn('webhook answered', res.status);
  return { state: 'success' };
}
`,
  },
  {
    name: 'messenger notification',
    hook: 'post_registration',
    summary: 'Sends a Telegram message about a missed call (any messenger with an HTTPS API works alike).',
    grant: { fetch: { allow: ['https://api.telegram.org/*'] } },
    source: `// post_registration: a messenger message for each missed call.
const BOT = 'bot123456:replace-with-your-bot-token';
const CHAT = '-1001234567890';
export default async function (input: HookInput): Promise<HookResult> {
  const call = input.call_full;
  if (call.result === 200) return { state: 'success' };
  await fetch('https://api.telegram.org/' + BOT + '/sendMessage', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chat_id: CHAT, text: 'Missed call from ' + call.channel.from.number }),
  });
  return { state: 'success' };
}
`,
  },
  {
    name: 'note on the lead',
    hook: 'post_registration',
    summary: "Adds a note to the call's lead in Kommo, through hookline's own client.",
    grant: { kommo: { write: ['POST /api/v4/leads/*/notes'] } },
    source: `// post_registration: a note on the lead the call was registered to.
export default async function (input: HookInput): Promise<HookResult> {
  const call = input.call_full;
  const lead = call.deal?.id;
  if (!lead) return { state: 'success' };
  await kommo.request('POST', '/api/v4/leads/' + lead + '/notes', [
    { note_type: 'common', params: { text: 'Call from ' + call.channel.from.number + ' (result ' + call.result + ')' } },
  ]);
  return { state: 'success' };
}
`,
  },
  {
    name: 'round-robin distribution',
    hook: 'customize_autodistribution',
    summary: 'Sends unknown callers to each extension in turn, the counter kept in the hook store.',
    grant: { store: {} },
    source: `// customize_autodistribution: unknown callers go to each extension in turn.
const EXTENSIONS = ['101', '102', '103'];
export default async function (input: HookInput): Promise<HookResult> {
  if (input.number) return { data: { number: input.number, name: input.name }, state: 'success' };
  const next = ((await store.get<number>('next')) ?? 0) % EXTENSIONS.length;
  await store.set('next', next + 1);
  return { data: { number: EXTENSIONS[next], name: '' }, state: 'success' };
}
`,
  },
];
