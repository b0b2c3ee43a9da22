/**
 * The two "update an existing entity" hooks (process_contact_update_params, process_lead_update_params) share
 * one shape: `{id, responsible_user_id}` plus any field, PATCHed to Kommo. One builder keeps them in step.
 */
import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { exampleCallFull } from '../examples.ts';
import { UserId, open } from '../kommo-bodies.ts';

export function updateParamsContract<N extends 'process_contact_update_params' | 'process_lead_update_params'>(
  name: N,
  o: { number: number; entity: 'contact' | 'lead'; exampleId: number },
) {
  const body = {
    id: Type.Integer({ minimum: 1, description: `${o.entity === 'contact' ? 'Contact' : 'Lead'} id` }),
    responsible_user_id: UserId('the new responsible user'),
  };
  const input = Type.Object({ call_full: CallFullSchema, ...body }, { additionalProperties: false });
  const output = Type.Object(body, { ...open, description: `PATCH /api/v4/${o.entity}s body; other fields can also be set` });
  return {
    name,
    number: o.number,
    summary: `Change the update of an existing ${o.entity} (responsible user, any ${o.entity} field).`,
    when: `An existing ${o.entity} is updated for the call (registration.updateResponsible).`,
    input,
    output,
    readOnly: [],
    extraKeys: true,
    rejectNull: true,
    defaultData: ({ call_full: _c, ...rest }) => rest,
    defaultDescription: 'the input',
    limits: { ...DEFAULT_LIMITS },
    docs: `Changing \`id\` points the update at another ${o.entity}: keep it unless you mean that. Extra keys go to Kommo as they are.`,
    template: `// ${name}: change the update of an existing ${o.entity}.
export default function (input: HookInput): HookResult {
  const { call_full, ...update } = input;
  return { data: update, state: 'success' };
}
`,
    exampleInput: { call_full: exampleCallFull, id: o.exampleId, responsible_user_id: 5501 },
  } satisfies HookContract<typeof input, typeof output>;
}
