/**
 * What the tracker reads from AMI, so that the AMI parser can skip the rest before decoding it
 * (`AmiParserOptions.only`): the events it has a handler for (plus `CEL`) and the headers its handlers read.
 * tests/tracker/interest.test.ts checks both lists against the handlers' source and the fixtures' results.
 */
import { AMI_HANDLERS } from './ami-handlers.ts';
import { KNOWN_EVENT } from './known.ts';

// HooklineKnown: not Asterisk's; a capture of a call's story starts with it (track.ts, stories/).
export const TRACKER_AMI_EVENTS: readonly string[] = Object.freeze([...Object.keys(AMI_HANDLERS), 'CEL', KNOWN_EVENT]);

export const TRACKER_AMI_HEADERS: readonly string[] = Object.freeze([
  'Event', 'Timestamp', 'Uniqueid', 'Linkedid', 'Channel', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum', 'ChannelStateDesc',
  'Context', 'Exten', 'DestUniqueid', 'DestLinkedid', 'DestChannel', 'DestCallerIDNum', 'DialStatus', 'DialString', 'Cause',
  'TransfererLinkedid', 'OrigTransfererLinkedid', 'Result', 'TargetLinkedid', 'TargetUniqueid', 'Variable', 'Value', 'Application', 'AppData',
  // CEL (Event: CEL)
  'EventName', 'EventTime', 'UniqueID', 'LinkedID', 'CallerIDnum', 'CallerIDname', 'Extra',
  // HooklineKnown (known.ts)
  'KnownPhone', 'GuessedTrunk',
]);

/** `AmiParserOptions.only` (and `AmiClientOptions.parser.only`) for a connection that only feeds the tracker. */
export const TRACKER_AMI_ONLY: { readonly events: readonly string[]; readonly headers: readonly string[] } = Object.freeze({
  events: TRACKER_AMI_EVENTS,
  headers: TRACKER_AMI_HEADERS,
});
