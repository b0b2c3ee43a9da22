import { updateParamsContract } from './update-params.ts';

export const process_contact_update_params = updateParamsContract('process_contact_update_params', { number: 10, entity: 'contact', exampleId: 30011 });
