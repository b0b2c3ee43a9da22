import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { exampleCallFull } from '../examples.ts';
import { UserId, open } from '../kommo-bodies.ts';

const body = {
  id: Type.Integer({ minimum: 1, description: 'Contact id' }),
  responsible_user_id: UserId('the new responsible user'),
};
const input = Type.Object({ call_full: CallFullSchema, ...body }, { additionalProperties: false });
const output = Type.Object(body, { ...open, description: 'PATCH /api/v4/contacts body; other fields can also be set' });

export const process_contact_update_params = {
  name: 'process_contact_update_params',
  number: 10,
  summary: 'Change the update of an existing contact (responsible user, any contact field).',
  when: 'An existing contact is updated for the call (registration.updateResponsible).',
  input,
  output,
  readOnly: [],
  extraKeys: true,
  rejectNull: true,
  defaultData: ({ call_full: _c, ...rest }) => rest,
  defaultDescription: 'the input',
  limits: { ...DEFAULT_LIMITS },
  docs: 'Changing `id` points the update at another contact: keep it unless you mean that. Extra keys go to Kommo as they are.',
  template: `// process_contact_update_params: change the update of an existing contact.
export default function (input: HookInput): HookResult {
  const { call_full, ...update } = input;
  return { data: update, state: 'success' };
}
`,
  exampleInput: { call_full: exampleCallFull, id: 30011, responsible_user_id: 5501 },
} satisfies HookContract<typeof input, typeof output>;
