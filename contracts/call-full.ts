/**
 * call_full: the read-only picture of the whole call that every hook input carries.
 * Written once here, after ../shared/spec/call_full.md; the engine's types, the runtime validation of the
 * inputs it builds, the editor's .d.ts and the docs derive from these schemas.
 */
import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const DateTimeSchema = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$',
  description: '"YYYY-MM-DD HH:MM:SS" in the PBX\'s time zone (config `pbx.timezone`); unset: "0001-01-01 00:00:00"',
});
export const UNSET_TIME = '0001-01-01 00:00:00';

export const PartySchema = Type.Object(
  {
    is_internal: Type.Boolean({ description: 'the number matches the internal-number pattern' }),
    name: Type.String({ description: 'CallerID name, "" if none' }),
    number: Type.String({ description: 'the number as Asterisk saw it' }),
  },
  { ...strict, $id: 'Party', description: 'One end of a channel.' },
);

export const TrunkSchema = Type.Object(
  {
    name: Type.String({ description: "the trunk channel's endpoint name" }),
    number: Type.String({ description: 'the DID dialled (inbound) or the trunk\'s CallerID (outbound)' }),
  },
  { ...strict, $id: 'Trunk', description: 'The external line the call came in on or went out through.' },
);

export const ChannelStateSchema = Type.Union(
  [Type.Literal('ringing'), Type.Literal('talking'), Type.Literal('ended'), Type.Literal('processed')],
  { $id: 'ChannelState' },
);

export const ChannelTypeSchema = Type.Union(
  [Type.Literal('local'), Type.Literal('incoming'), Type.Literal('outgoing'), Type.Literal('unknown')],
  { $id: 'ChannelType', description: 'internal→internal local; external→internal incoming; internal→external outgoing' },
);

export const ChannelSchema = Type.Object(
  {
    answer_time: DateTimeSchema,
    end_time: DateTimeSchema,
    extra: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
      description: "CEL-style extra of the channel's last event (hangupcause, hangupsource, dialstatus, ...)",
    }),
    from: PartySchema,
    id: Type.String({ description: 'channel uniqueid' }),
    is_primary: Type.Boolean({ description: 'uniqueid == linkedid' }),
    name: Type.String({ description: 'channel name, e.g. "PJSIP/101-00000012"' }),
    start_time: DateTimeSchema,
    state: ChannelStateSchema,
    to: PartySchema,
    trunk: Type.Union([TrunkSchema, Type.Null()]),
    type: ChannelTypeSchema,
    was_answered: Type.Boolean(),
  },
  { ...strict, $id: 'Channel', description: 'One Asterisk channel.' },
);

export const UserSchema = Type.Object(
  {
    extension: Type.String(),
    id: Type.Number({ description: 'Kommo user id' }),
    name: Type.String(),
  },
  { ...strict, $id: 'User', description: 'The Kommo user whose extension a conversation rang.' },
);

export const ConversationSchema = Type.Object(
  {
    channel: ChannelSchema,
    is_parked: Type.Boolean({ description: 'the client is parked/on hold in this conversation' }),
    user: Type.Union([UserSchema, Type.Null()]),
  },
  { ...strict, $id: 'Conversation', description: 'One leg that rang somebody.' },
);

export const EntitySchema = Type.Object(
  {
    id: Type.Number(),
    is_new: Type.Boolean({ description: 'created by hookline for this call' }),
    name: Type.String(),
    responsible_user_id: Type.Number(),
    type: Type.Union([Type.Literal('contacts'), Type.Literal('companies')]),
  },
  { ...strict, $id: 'Entity', description: 'The Kommo contact (or company) found or created for the client.' },
);

export const DealSchema = Type.Object(
  {
    id: Type.Number(),
    is_new: Type.Boolean(),
    name: Type.String(),
    pipeline_id: Type.Number(),
    responsible_user_id: Type.Number(),
    status_id: Type.Number(),
  },
  { ...strict, $id: 'Deal', description: 'The Kommo lead this call is (or will be) attached to.' },
);

export const CallResultSchema = Type.Number({
  description: 'SIP-like outcome: 200 answered, 486 busy, 480 no answer, 487 caller hung up while ringing, 404 wrong number, 503 unavailable, 603 declined, 0 unknown',
});

export const CallFullSchema = Type.Object(
  {
    active_conversation_id: Type.String({ description: 'uniqueid of the conversation this stage is about; "" for call_ended' }),
    channel: ChannelSchema,
    conversations: Type.Record(Type.String(), ConversationSchema, {
      description: "keyed by the conversation channel's uniqueid",
    }),
    deal: Type.Union([DealSchema, Type.Null()]),
    entity: Type.Union([EntitySchema, Type.Null()]),
    is_ivr: Type.Boolean({ description: 'missed inbound call that never rang a person (ended in IVR/queue)' }),
    record: Type.String({ description: 'public link to the recording, "" if none' }),
    registration: Type.Null({ description: 'reserved (always null for Kommo)' }),
    result: CallResultSchema,
  },
  { ...strict, $id: 'CallFull', description: 'The whole call, read-only. Keys are emitted in alphabetical order.' },
);

export type DateTime = Static<typeof DateTimeSchema>;
export type Party = Static<typeof PartySchema>;
export type Trunk = Static<typeof TrunkSchema>;
export type ChannelState = Static<typeof ChannelStateSchema>;
export type ChannelType = Static<typeof ChannelTypeSchema>;
export type Channel = Static<typeof ChannelSchema>;
export type User = Static<typeof UserSchema>;
export type Conversation = Static<typeof ConversationSchema>;
export type Entity = Static<typeof EntitySchema>;
export type Deal = Static<typeof DealSchema>;
export type CallFull = Static<typeof CallFullSchema>;

export const CALL_STAGES = ['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended'] as const;
export const CallStageSchema = Type.Union(CALL_STAGES.map((s) => Type.Literal(s)), { $id: 'CallStage' });
export type CallStage = (typeof CALL_STAGES)[number];

/** Result codes and what each becomes in Kommo (call_full.md). */
export const RESULT_TO_KOMMO: Record<number, { call_status: number; call_result: string }> = {
  200: { call_status: 4, call_result: 'Answered' },
  486: { call_status: 7, call_result: 'Busy' },
  480: { call_status: 6, call_result: 'No answer' },
  487: { call_status: 6, call_result: 'Caller hung up' },
  404: { call_status: 5, call_result: 'Wrong number' },
  503: { call_status: 6, call_result: 'Line unavailable' },
  603: { call_status: 6, call_result: 'Declined' },
  0: { call_status: 8, call_result: 'Unknown' },
};

/** JSON with object keys in alphabetical order at every depth, so equal calls serialize to equal bytes. */
export function canonicalJson(value: unknown, space?: number): string {
  return JSON.stringify(sortKeysDeep(value), null, space);
}

export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}
