import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { EXAMPLE_PHONE, exampleCallFull } from '../examples.ts';
import { IdRefSchema, TagRefSchema, UserId, open } from '../kommo-bodies.ts';

const body = {
  _embedded: Type.Object(
    {
      contacts: Type.Optional(Type.Array(IdRefSchema, { description: 'the contact the lead is linked to (absent when the client is a company)' })),
      companies: Type.Optional(Type.Array(IdRefSchema, { description: 'the company the lead is linked to, when no contact has the number and a company does (then `contacts` is absent)' })),
      tags: Type.Array(TagRefSchema),
    },
    open,
  ),
  name: Type.String({ minLength: 1, description: 'default "<phone> - [missed] incoming/outgoing"' }),
  pipeline_id: Type.Integer({ minimum: 1 }),
  responsible_user_id: UserId('Kommo user responsible for the lead'),
  status_id: Type.Integer({ minimum: 1 }),
};
const input = Type.Object({ call_full: CallFullSchema, ...body }, { additionalProperties: false });
const output = Type.Object(body, { ...open, description: 'POST /api/v4/leads body; other fields can also be set' });

export const process_lead_creation_params = {
  name: 'process_lead_creation_params',
  number: 4,
  summary: 'Change the lead hookline creates for a call (title, pipeline, status, responsible, tags, any lead field).',
  when: 'A new lead is created for the call (registration.createLead, and the contact has no open lead).',
  input,
  output,
  readOnly: [],
  extraKeys: true,
  rejectNull: true,
  defaultData: ({ call_full: _c, ...rest }) => rest,
  defaultDescription: 'the input body',
  limits: { ...DEFAULT_LIMITS },
  docs: 'Extra keys (e.g. `price`, `custom_fields_values`) go to Kommo as they are. The lead is linked to the client: `_embedded.contacts: [{id}]`, or `_embedded.companies: [{id}]` when the number belongs to a company and to no contact (hookline then creates no contact).',
  template: `// process_lead_creation_params: change the lead created for a call.
export default function (input: HookInput): HookResult {
  const { call_full, ...lead } = input;
  const missed = call_full.result !== 200;
  return { data: { ...lead, name: (missed ? 'Missed: ' : '') + lead.name }, state: 'success' };
}
`,
  exampleInput: {
    call_full: exampleCallFull,
    _embedded: { contacts: [{ id: 30011 }], tags: [{ name: 'hookline' }] },
    name: `${EXAMPLE_PHONE} - incoming`,
    pipeline_id: 7001,
    responsible_user_id: 5501,
    status_id: 70011,
  },
} satisfies HookContract<typeof input, typeof output>;
