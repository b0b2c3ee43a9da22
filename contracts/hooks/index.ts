/** The 13 hooks, one file each; the compiler checks that every HookName has its contract. */
import type { HookContract, HookName } from '../contract.ts';
import { customize_autodistribution } from './customize-autodistribution.ts';
import { need_registration } from './need-registration.ts';
import { post_registration } from './post-registration.ts';
import { process_call_params } from './process-call-params.ts';
import { process_client_phone } from './process-client-phone.ts';
import { process_contact_creation_params } from './process-contact-creation-params.ts';
import { process_contact_update_params } from './process-contact-update-params.ts';
import { process_lead_creation_params } from './process-lead-creation-params.ts';
import { process_lead_update_params } from './process-lead-update-params.ts';
import { process_originate_params } from './process-originate-params.ts';
import { process_record_file_path } from './process-record-file-path.ts';
import { process_task_creation_params } from './process-task-creation-params.ts';
import { process_unsorted_creation_params } from './process-unsorted-creation-params.ts';

export const hooks = {
  need_registration,
  process_client_phone,
  process_contact_creation_params,
  process_lead_creation_params,
  process_originate_params,
  process_record_file_path,
  process_task_creation_params,
  customize_autodistribution,
  post_registration,
  process_contact_update_params,
  process_lead_update_params,
  process_unsorted_creation_params,
  process_call_params,
} satisfies Record<HookName, HookContract>;

export type Hooks = typeof hooks;
