/** summarize(call): the CLI's one-line view of an emitted call_full (the lead's `hookline calls`). */
import type { CallFull } from '../../contracts/index.ts';
import type { CallSummary, Direction } from './model.ts';

const DIRECTION_OF: Record<string, Direction> = { local: 'internal', incoming: 'inbound', outgoing: 'outbound' };

export function summarize(call: CallFull): CallSummary {
  const ch = call.channel;
  const direction = DIRECTION_OF[ch.type] ?? 'internal';
  const convs = Object.values(call.conversations).sort((a, b) => (a.channel.start_time < b.channel.start_time ? -1 : a.channel.start_time > b.channel.start_time ? 1 : 0));
  // result 200 is the call answered (call acceptance refused is not, whatever its legs did); an outside party
  // (a line, not internal) answered nobody's extension
  const answered = call.result === 200 ? convs.find((c) => c.channel.was_answered) : undefined;
  return {
    linkedid: ch.id,
    direction,
    from: ch.from.number,
    to: ch.to.number,
    answered: answered !== undefined,
    answered_by: answered?.channel.to.is_internal ? answered.channel.to.number : null,
    conversations: convs.map((c) => ({
      id: c.channel.id, from: c.channel.from.number, to: c.channel.to.number, answered: c.channel.was_answered,
      start_time: c.channel.start_time, answer_time: c.channel.answer_time, end_time: c.channel.end_time,
    })),
    result: call.result,
    trunk: ch.trunk?.name ?? null,
  };
}
