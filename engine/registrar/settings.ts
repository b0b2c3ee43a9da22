/** How calls are registered (config `registration`, with the PBX's time zone). */
export interface RegistrationSettings {
  mode: 'contact' | 'unsorted';
  createLead: boolean;
  pipelineId?: number;
  statusId?: number;
  tags: string[];
  defaultUserId?: number;
  updateResponsible: boolean;
  tasks: { enabled: boolean; deadlineMinutes: number; responsibleMode: 0 | 1 | 2; taskTypeId: number };
  timezone: string;
  /** `source` of call logs and `source_name`/`service_code` of incoming leads. Default "hookline". */
  source?: string;
}

export const DEFAULT_SOURCE = 'hookline';

/** The name hookline's writes carry as their source. */
export function sourceOf(s: RegistrationSettings): string {
  return s.source ?? DEFAULT_SOURCE;
}
