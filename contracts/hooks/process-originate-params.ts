import { Type } from '@sinclair/typebox';
import { DEFAULT_LIMITS, type HookContract } from '../contract.ts';

/** AMI header values: no CR, LF or other control characters (they would inject headers). */
const amiValue = (description: string) => Type.String({ minLength: 1, pattern: '^[^\\x00-\\x1f\\x7f]*$', description });

const params = {
  caller_id: amiValue('CallerID shown on the extension that rings first, e.g. "Kommo <+79161234567>"'),
  channel: amiValue('the channel that rings first: the user\'s extension, e.g. "PJSIP/101"'),
  context: amiValue('dialplan context the call continues in once the extension answers'),
  extension: amiValue('the number dialled in that context: the client\'s number'),
  priority: Type.Integer({ minimum: 1, description: 'dialplan priority, usually 1' }),
};
const input = Type.Object(
  {
    ...params,
    request_data: Type.Record(Type.String(), Type.Unknown(), { description: 'the click-to-call request as received (number, user_id, …)' }),
  },
  { additionalProperties: false },
);
const output = Type.Object(params, { additionalProperties: false, description: 'the AMI Originate parameters' });

export const process_originate_params = {
  name: 'process_originate_params',
  number: 5,
  summary: 'Change the AMI Originate of a click-to-call from Kommo (trunk, context, number format).',
  when: 'A click-to-call request arrives from Kommo (POST /api/click-to-call), before AMI Originate.',
  input,
  output,
  readOnly: ['request_data'],
  extraKeys: false,
  rejectNull: true,
  defaultData: ({ request_data: _r, ...rest }) => rest,
  defaultDescription: 'the input parameters',
  limits: { ...DEFAULT_LIMITS },
  docs: 'Values go into AMI headers: CR, LF and other control characters are refused. `request_data` is read-only.',
  template: `// process_originate_params: change how a click-to-call from Kommo is dialled.
export default function (input: HookInput): HookResult {
  const { request_data, ...params } = input;
  // Example: numbers starting with +7 go out as 8XXXXXXXXXX.
  const extension = params.extension.replace(/^\\+7/, '8');
  return { data: { ...params, extension }, state: 'success' };
}
`,
  exampleInput: {
    caller_id: 'Kommo <+79161234567>',
    channel: 'PJSIP/101',
    context: 'from-internal',
    extension: '+79161234567',
    priority: 1,
    request_data: { number: '+79161234567', user_id: 5501 },
  },
} satisfies HookContract<typeof input, typeof output>;
