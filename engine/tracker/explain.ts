/**
 * Why a call came out as it did (`hookline calls --explain`): one sentence per decision, from the same
 * predicates the decisions use (predicates.ts), read from the call model when the call ends.
 */
import type { CallExplanation, CallModel, ChanModel, TrackerConfig } from './model.ts';
import { endsOf } from './build.ts';
import { answerCounts, answeringLeg, directionWhy, endpointKey, isInternalNumber, isSharedNumber, isTrunkChannel, isUnacceptedCall, type Known } from './predicates.ts';
import { resultOf } from './result.ts';

function whoWhy(ch: ChanModel, call: CallModel, cfg: TrackerConfig, known: Known): string {
  const trunk = isTrunkChannel(ch, call, cfg, known);
  if (trunk === true) return `${ch.name} is a trunk leg: an outside party (${ch.num || 'number unknown'}) answered, nobody's extension`;
  const ep = endpointKey(ch.name);
  const ext = known.phones.get(ep);
  if (ext) return `${ch.name} answered; its endpoint ${ep} placed a call showing ${ext}, so it is extension ${ext}`;
  if (ch.num && cfg.extensions.has(ch.num)) return `${ch.name} answered; it was rung as ${ch.num}, an extension of the configuration's users`;
  if (ch.num && isInternalNumber(ch.num, cfg) && !isSharedNumber(ch, call)) return `${ch.name} answered; it was rung as ${ch.num} and no other phone of the call showed that number`;
  const shown = ch.num ? (isInternalNumber(ch.num, cfg) ? `${ch.num}, shown by other phones too (a group's or queue's number)` : `${ch.num}, not an internal number (the DID or the caller's)`) : 'no number';
  return `${ch.name} answered (${trunk.no}); it showed ${shown} and never placed a call as an extension, so it is named by its account`;
}

export function explainCall(call: CallModel, cfg: TrackerConfig, known: Known): CallExplanation {
  const e = endsOf(call, cfg, known);
  const origin = e.origin;
  const first = call.originated ? 'the first leg the originate rang' : 'the caller';
  const from = origin ? `${first} ${origin.name} showed ${origin.num || 'no number'}${call.cel ? ' (the last caller id the PBX gave it)' : ''}` : 'the caller is not known';
  let to: string;
  if (e.direction === 'outbound') to = e.trunkChan ? `the number the trunk leg ${e.trunkChan.name} was dialled as` : 'no trunk leg was dialled after the first leg';
  else if (origin?.exten) to = `the extension ${origin.name} asked for (before any forward, group, queue or transfer)`;
  else to = e.to ? 'the number of the first leg rung (the caller asked for no extension)' : 'nothing was dialled';
  const leg = answeringLeg(call);
  let answered: string;
  const unaccepted = isUnacceptedCall(call);
  if (unaccepted === true) answered = `not answered: a leg went Up while the caller waited, but the caller's Dial ended ${origin?.ownDial} and the caller was never Up (call acceptance refused or timed out)`;
  else if (leg) answered = whoWhy(leg, call, cfg, known);
  else {
    const tried = call.convs.map((id) => call.chans.get(id)).filter((c): c is ChanModel => c !== undefined).map((c) => {
      const v = answerCounts(c, call);
      return v === true ? `${c.name} answered` : v.no;
    });
    answered = tried.length ? `not answered: ${tried.join('; ')}` : 'not answered: no leg rang';
  }
  const result = resultOf(call);
  const resultWhy = result === 200 ? 'a leg answered' : unaccepted === true ? "the caller's own Dial status" : 'the Dial status, else the hangup cause, of the legs that rang';
  return { direction: directionWhy(call, cfg, known).why, from, to, answered, result: `${result}: ${resultWhy}` };
}
