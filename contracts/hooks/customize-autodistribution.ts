import { Type } from '@sinclair/typebox';
import { EntitySchema } from '../call-full.ts';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';
import { EXAMPLE_PHONE } from '../examples.ts';

// Kept in step with the /autodistribution answer "<number>,<name>": Asterisk truncates a CallerID name at
// 20 characters, and the dialplan splits the answer at the comma with CUT().
const number = Type.String({ pattern: '^[^,\\x00-\\x1f\\x7f]*$', description: 'the extension to route the call to; "" for the normal route' });
const name = Type.String({ maxLength: 20, pattern: '^[^,\\x00-\\x1f\\x7f]*$', description: 'CallerID name shown on the phone: at most 20 characters, no commas' });

const input = Type.Object(
  {
    number,
    name,
    from: Type.Optional(Type.String({ description: 'read-only: the calling number (present when not empty)' })),
    trunk: Type.Optional(Type.String({ description: 'read-only: the trunk number (present when not empty)' })),
    request_data: Type.Record(Type.String(), Type.Unknown(), { description: 'read-only: the request as Asterisk sent it' }),
    entity: Type.Optional(EntitySchema),
    error: Type.Optional(Type.String({ description: 'read-only: why no responsible user was found (present when not empty)' })),
  },
  { additionalProperties: false },
);
const output = Type.Object({ number, name }, { additionalProperties: false });

export const customize_autodistribution = {
  name: 'customize_autodistribution',
  number: 8,
  summary: "Choose whom an incoming call is routed to (the client's responsible manager by default).",
  when: 'Asterisk asks hookline whom to route an incoming call to (GET /autodistribution from the dialplan).',
  input,
  output,
  readOnly: ['from', 'trunk', 'request_data', 'entity', 'error'],
  extraKeys: false,
  rejectNull: true,
  defaultData: (i) => ({ number: i.number, name: i.name }),
  defaultDescription: 'the input number and name',
  limits: { ...DEFAULT_LIMITS },
  docs: '`from`, `trunk`, `entity` and `error` are present only when not empty. They and `request_data` are read-only: they are removed from the output even if the script returns them. `name` must be at most 20 characters (Asterisk CallerID limit) and contain no comma (the dialplan splits `<number>,<name>`).',
  template: `// customize_autodistribution: choose the extension an incoming call is routed to.
export default function (input: HookInput): HookResult {
  // Example: calls on the support line always go to extension 200.
  if (input.trunk === '+74957654321') return { data: { number: '200', name: 'Support' }, state: 'success' };
  return { data: { number: input.number, name: input.name.slice(0, 20) }, state: 'success' };
}
`,
  exampleInput: {
    number: '101',
    name: 'Anna Petrova',
    from: EXAMPLE_PHONE,
    trunk: '+74951234567',
    request_data: { from: EXAMPLE_PHONE, trunk: '+74951234567' },
    entity: { id: 30011, is_new: false, name: 'Ivan Sidorov', responsible_user_id: 5501, type: 'contacts' },
  },
} satisfies HookContract<typeof input, typeof output>;
