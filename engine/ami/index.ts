/**
 * @module engine/ami — AMI framing (pure parser) and the AMI client (TCP, login, keepalive, reconnect).
 * See docs/design/ami.md.
 */
export type { AmiMessage, AmiProblem, AmiProblemCode, AmiParseResult } from './message.ts';
export { header, headers } from './message.ts';
export type { AmiParserOptions } from './parser.ts';
export { AmiParser, parseAmi, parseAmiText } from './parser.ts';
export type { AmiError, AmiErrorCode, AmiResult } from './errors.ts';
export type { AmiAction, AmiActionValue } from './writer.ts';
export { formatAction } from './writer.ts';
export type { BackoffOptions } from './backoff.ts';
export { backoffDelay } from './backoff.ts';
export type {
  AmiActionReply, AmiClient, AmiClientEvents, AmiClientOptions, AmiConnectedInfo, AmiDisconnectedInfo, AmiResyncInfo, OriginateInput, OriginateOutcome,
} from './client.ts';
export { connectAmi } from './client.ts';
