import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { EXAMPLE_CREATED_AT, EXAMPLE_PHONE, exampleCallFull } from '../examples.ts';
import { UnixTime, UserId, open } from '../kommo-bodies.ts';

const body = {
  complete_till: UnixTime('deadline'),
  created_by: UserId('the user creating the task (0: robot)'),
  entity_id: Type.Integer({ minimum: 1, description: 'the contact, company or lead the task is attached to' }),
  entity_type: Type.Union([Type.Literal('contacts'), Type.Literal('companies'), Type.Literal('leads')], {
    description: 'the call\'s lead when there is one; else the client: a contact, or a company when no contact has the number',
  }),
  is_completed: Type.Boolean({ description: 'always false when created' }),
  responsible_user_id: UserId('who must call back'),
  task_type: Type.Integer({ minimum: 1, description: 'Kommo task type id: 1 follow-up, 2 meeting (predefined), or one of the account\'s own (GET /api/v4/account?with=task_types)' }),
  text: Type.String({ minLength: 1, description: 'default "Call back <entity name> on a missed call from <phone>"' }),
};
const input = Type.Object({ call_full: CallFullSchema, ...body }, { additionalProperties: false });
const output = Type.Object(body, { ...open, description: 'POST /api/v4/tasks body; other fields can also be set' });

export const process_task_creation_params = {
  name: 'process_task_creation_params',
  number: 7,
  summary: 'Change the task created on a missed inbound or unanswered outbound call.',
  when: 'A missed inbound or unanswered outbound call, with tasks enabled (registration.tasks.enabled); after the admin settings.',
  input,
  output,
  readOnly: [],
  extraKeys: true,
  rejectNull: true,
  defaultData: ({ call_full: _c, ...rest }) => rest,
  defaultDescription: 'the input body',
  limits: { ...DEFAULT_LIMITS },
  docs: 'Responsible by `registration.tasks.responsibleMode`: 0 the entity\'s responsible, 1 the last user who rang, 2 the default user. Hookline sends `task_type` as Kommo\'s `task_type_id`.',
  template: `// process_task_creation_params: change the call-back task on a missed call.
export default function (input: HookInput): HookResult {
  const { call_full, ...task } = input;
  // Example: calls missed after 18:00 are due the next morning (one more hour of slack).
  const hour = Number(call_full.channel.start_time.slice(11, 13));
  const complete_till = hour >= 18 ? task.complete_till + 15 * 3600 : task.complete_till;
  return { data: { ...task, complete_till }, state: 'success' };
}
`,
  exampleInput: {
    call_full: { ...exampleCallFull, result: 480 },
    complete_till: EXAMPLE_CREATED_AT + 3600,
    created_by: 0,
    entity_id: 30011,
    entity_type: 'contacts',
    is_completed: false,
    responsible_user_id: 5501,
    task_type: 1,
    text: `Call back Ivan Sidorov on a missed call from ${EXAMPLE_PHONE}`,
  },
} satisfies HookContract<typeof input, typeof output>;
