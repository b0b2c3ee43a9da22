/**
 * What a person reads first about a hook's input (issue 17, item 5): the call's stage, its direction and the
 * client's phone, taken from the input as the contracts shape it (call_stage, phone, call_full.channel), or
 * from the hooks without call_full (click-to-call's extension, autodistribution's from). Empty when not there.
 */
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

export interface CallFacts {
  stage: string;
  direction: string;
  phone: string;
}

export function callFacts(input: unknown): CallFacts {
  const i = obj(input) ?? {};
  const channel = obj(obj(i.call_full)?.channel);
  const direction = str(channel?.type) || str(i.direction) || ('caller_id' in i ? 'outgoing (click-to-call)' : '');
  const party = (side: string) => str(obj(channel?.[side])?.number);
  const fromChannel = channel ? (direction === 'outgoing' ? party('to') : party('from')) : '';
  return {
    stage: str(i.call_stage),
    direction,
    phone: str(i.phone) || fromChannel || str(i.from) || str(i.extension),
  };
}
