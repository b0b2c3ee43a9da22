/**
 * One realistic call, shared by the hooks' example inputs (docs, CLI examples, tests): an inbound call from
 * +79161234567 on the DID +74951234567 through trunk PJSIP/provider, answered by extension 101.
 */
import type { CallFull, Channel } from './call-full.ts';

const primary: Channel = {
  answer_time: '2026-11-20 10:15:07',
  end_time: '2026-11-20 10:17:42',
  extra: { dialstatus: 'ANSWER', hangupcause: 16, hangupsource: 'PJSIP/provider-00000041' },
  from: { is_internal: false, name: '', number: '+79161234567' },
  id: '1763633700.65',
  is_primary: true,
  name: 'PJSIP/provider-00000041',
  start_time: '2026-11-20 10:15:00',
  state: 'ended',
  to: { is_internal: true, name: 'Anna Petrova', number: '101' },
  trunk: { name: 'PJSIP/provider', number: '+74951234567' },
  type: 'incoming',
  was_answered: true,
};

const leg: Channel = {
  ...primary,
  extra: { dialstatus: 'ANSWER', hangupcause: 16, hangupsource: 'PJSIP/provider-00000041' },
  id: '1763633700.66',
  is_primary: false,
  name: 'PJSIP/101-00000042',
  start_time: '2026-11-20 10:15:01',
  trunk: null,
};

export const exampleCallFull: CallFull = {
  active_conversation_id: '',
  channel: primary,
  conversations: {
    '1763633700.66': { channel: leg, is_parked: false, user: { extension: '101', id: 5501, name: 'Anna Petrova' } },
  },
  deal: null,
  entity: { id: 30011, is_new: false, name: 'Ivan Sidorov', responsible_user_id: 5501, type: 'contacts' },
  is_ivr: false,
  record: 'https://pbx.example.com:8080/recordings/1763633700.65.mp3?exp=1771409700&sig=3f1c',
  registration: null,
  result: 200,
};

/** The example call at a conversation stage (the active conversation set). */
export const exampleCallFullAtConversation: CallFull = { ...exampleCallFull, active_conversation_id: '1763633700.66' };

export const EXAMPLE_PHONE = '+79161234567';
export const EXAMPLE_LINKEDID = '1763633700.65';
export const EXAMPLE_CREATED_AT = 1763633700;
export const PHONE_FIELD_ID_EXAMPLE = 264911;
