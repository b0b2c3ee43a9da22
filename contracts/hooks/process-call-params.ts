import { Type } from '@sinclair/typebox';
import { CallFullSchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { EXAMPLE_CREATED_AT, EXAMPLE_PHONE, exampleCallFull } from '../examples.ts';
import { UnixTime, UserId, open } from '../kommo-bodies.ts';

const body = {
  call_result: Type.String({ description: 'Kommo\'s free text: the reason in words ("Busy", "No answer", …)' }),
  call_status: Type.Integer({ minimum: 1, maximum: 8, description: '4 talked, 5 wrong number, 6 not reached, 7 busy, 8 undefined (from call_full.result)' }),
  created_at: UnixTime('when the call started'),
  created_by: UserId('the user who made or took the call (0: robot)'),
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
  duration: Type.Integer({ minimum: 0, description: 'seconds of the last conversation' }),
  link: Type.Optional(Type.String({ minLength: 1, description: 'the recording link of the last conversation; absent when there is none' })),
  phone: Type.String({ minLength: 1, description: 'the client\'s number, as process_client_phone left it' }),
  responsible_user_id: UserId('responsible user'),
  source: Type.String({ minLength: 1 }),
};
const input = Type.Object({ call_full: CallFullSchema, ...body }, { additionalProperties: false });
const output = Type.Object(body, { ...open, description: 'POST /api/v4/calls body; other fields can also be set' });

export const process_call_params = {
  name: 'process_call_params',
  number: 13,
  summary: 'Change the call log written to Kommo (status, result text, direction, duration, link, responsible).',
  when: 'The call log is written (POST /api/v4/calls), at call_ended.',
  input,
  output,
  readOnly: [],
  extraKeys: true,
  rejectNull: true,
  defaultData: ({ call_full: _c, ...rest }) => rest,
  defaultDescription: 'the input body',
  limits: { ...DEFAULT_LIMITS },
  docs: '`call_status` and `call_result` come from `call_full.result` (docs/hooks.md, result table); a script may change both. Kommo attaches the log to the entity whose phone ends in the same 10 digits.',
  template: `// process_call_params: change the call log written to Kommo.
export default function (input: HookInput): HookResult {
  const { call_full, ...call } = input;
  // Example: a call shorter than 5 seconds counts as not reached.
  if (call.duration < 5 && call.call_status === 4) return { data: { ...call, call_status: 6, call_result: 'Too short' }, state: 'success' };
  return { data: call, state: 'success' };
}
`,
  exampleInput: {
    call_full: exampleCallFull,
    call_result: 'Answered',
    call_status: 4,
    created_at: EXAMPLE_CREATED_AT,
    created_by: 5501,
    direction: 'inbound',
    duration: 155,
    link: exampleCallFull.record,
    phone: EXAMPLE_PHONE,
    responsible_user_id: 5501,
    source: 'hookline',
  },
} satisfies HookContract<typeof input, typeof output>;
