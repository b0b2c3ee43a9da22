import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { EXAMPLE_PHONE, PHONE_FIELD_ID_EXAMPLE, exampleCallFull } from '../examples.ts';
import { CustomFieldValueSchema, UserId, open } from '../kommo-bodies.ts';

const body = {
  custom_fields_values: Type.Array(CustomFieldValueSchema, { minItems: 1, description: 'the PHONE field with the client\'s number (enum WORK)' }),
  name: Type.String({ minLength: 1, description: 'default "Contact <phone>"' }),
  responsible_user_id: UserId('Kommo user responsible for the contact'),
  tags: Type.Array(Type.String({ minLength: 1 }), { description: 'default ["hookline"]' }),
};
const input = Type.Object({ call_full: CallFullSchema, ...body }, { additionalProperties: false });
const output = Type.Object(body, { ...open, description: 'POST /api/v4/contacts body; other fields can also be set' });

export const process_contact_creation_params = {
  name: 'process_contact_creation_params',
  number: 3,
  summary: 'Change the contact hookline creates for a new client (name, responsible, tags, any contact field).',
  when: 'No contact in Kommo has the client\'s phone, and registration.mode is "contact".',
  input,
  output,
  readOnly: [],
  extraKeys: true,
  rejectNull: true,
  defaultData: ({ call_full: _c, ...rest }) => rest,
  defaultDescription: 'the input body',
  limits: { ...DEFAULT_LIMITS },
  docs: 'hookline writes the phone into the account\'s contacts field with code `PHONE`, enum `WORK`. Extra keys (e.g. `first_name`, more `custom_fields_values`) go to Kommo as they are. Kommo rejects `null` values, so they are a contract violation here.',
  template: `// process_contact_creation_params: change the contact created for a new client.
export default function (input: HookInput): HookResult {
  const { call_full, ...contact } = input;
  const trunk = call_full.channel.trunk;
  return {
    data: { ...contact, tags: [...contact.tags, trunk ? 'line ' + trunk.number : 'no line'] },
    state: 'success',
  };
}
`,
  exampleInput: {
    call_full: exampleCallFull,
    custom_fields_values: [{ field_id: PHONE_FIELD_ID_EXAMPLE, values: [{ enum_code: 'WORK', value: EXAMPLE_PHONE }] }],
    name: `Contact ${EXAMPLE_PHONE}`,
    responsible_user_id: 5501,
    tags: ['hookline'],
  },
} satisfies HookContract<typeof input, typeof output>;
