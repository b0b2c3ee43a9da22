import { updateParamsContract } from './update-params.ts';

export const process_lead_update_params = updateParamsContract('process_lead_update_params', { number: 11, entity: 'lead', exampleId: 40021 });
