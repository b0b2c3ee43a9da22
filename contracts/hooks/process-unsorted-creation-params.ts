import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { EXAMPLE_CREATED_AT, EXAMPLE_LINKEDID, EXAMPLE_PHONE, PHONE_FIELD_ID_EXAMPLE, exampleCallFull } from '../examples.ts';
import { CustomFieldValueSchema, TagRefSchema, UnixTime, open } from '../kommo-bodies.ts';

const body = {
  _embedded: Type.Object(
    {
      contacts: Type.Array(
        Type.Object(
          {
            custom_fields_values: Type.Array(CustomFieldValueSchema, { minItems: 1 }),
            name: Type.String({ minLength: 1, description: 'default "Contact <phone>"' }),
            tags: Type.Array(Type.String({ minLength: 1 })),
          },
          open,
        ),
      ),
      leads: Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, description: 'default "<phone> - [missed] incoming/outgoing"' }),
            pipeline_id: Type.Integer({ minimum: 1 }),
            tags: Type.Array(TagRefSchema),
          },
          open,
        ),
      ),
    },
    open,
  ),
  created_at: UnixTime('when the unsorted lead is created'),
  metadata: Type.Object(
    {
      called_at: UnixTime('when the call was made'),
      duration: Type.Integer({ minimum: 0, description: 'seconds' }),
      from: Type.String({ description: 'the calling number' }),
      is_call_event_needed: Type.Boolean(),
      link: Type.Optional(Type.String({ minLength: 1, description: 'the recording link; absent when there is none' })),
      phone: Type.String({ minLength: 1, description: 'the client\'s number' }),
      service_code: Type.String({ minLength: 1 }),
      uniq: Type.String({ minLength: 1, description: 'the call\'s linkedid' }),
    },
    open,
  ),
  pipeline_id: Type.Integer({ minimum: 1 }),
  source_name: Type.String({ minLength: 1 }),
  source_uid: Type.String({ minLength: 1, description: 'the call\'s linkedid: Kommo refuses a second unsorted lead with the same one' }),
};
const input = Type.Object({ call_full: CallFullSchema, ...body }, { additionalProperties: false });
const output = Type.Object(body, { ...open, description: 'POST /api/v4/leads/unsorted/sip body; other fields can also be set' });

export const process_unsorted_creation_params = {
  name: 'process_unsorted_creation_params',
  number: 12,
  summary: 'Change the unsorted (incoming) lead created for a new client: its contact and lead fields.',
  when: 'No contact in Kommo has the client\'s phone, and registration.mode is "unsorted".',
  input,
  output,
  readOnly: [],
  extraKeys: true,
  rejectNull: true,
  defaultData: ({ call_full: _c, ...rest }) => rest,
  defaultDescription: 'the input body',
  limits: { ...DEFAULT_LIMITS },
  docs: '`source_uid` and `metadata.uniq` carry the linkedid: keep them, so a retry cannot create a second unsorted lead for the same call.',
  template: `// process_unsorted_creation_params: change the unsorted lead created for a new client.
export default function (input: HookInput): HookResult {
  const { call_full, ...unsorted } = input;
  const leads = unsorted._embedded.leads.map((l) => ({ ...l, name: l.name + ' (from hookline)' }));
  return { data: { ...unsorted, _embedded: { ...unsorted._embedded, leads } }, state: 'success' };
}
`,
  exampleInput: {
    call_full: exampleCallFull,
    _embedded: {
      contacts: [{ custom_fields_values: [{ field_id: PHONE_FIELD_ID_EXAMPLE, values: [{ enum_code: 'WORK', value: EXAMPLE_PHONE }] }], name: `Contact ${EXAMPLE_PHONE}`, tags: ['hookline'] }],
      leads: [{ name: `${EXAMPLE_PHONE} - incoming`, pipeline_id: 7001, tags: [{ name: 'hookline' }] }],
    },
    created_at: EXAMPLE_CREATED_AT,
    metadata: {
      called_at: EXAMPLE_CREATED_AT,
      duration: 155,
      from: EXAMPLE_PHONE,
      is_call_event_needed: true,
      link: exampleCallFull.record,
      phone: EXAMPLE_PHONE,
      service_code: 'hookline',
      uniq: EXAMPLE_LINKEDID,
    },
    pipeline_id: 7001,
    source_name: 'hookline',
    source_uid: EXAMPLE_LINKEDID,
  },
} satisfies HookContract<typeof input, typeof output>;
