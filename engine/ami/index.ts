/**
 * @module engine/ami — the AMI client (TCP, login, keepalive, reconnect, actions and lists). The wire format it
 * reads and writes (AmiParser, AmiMessage, header, formatAction) is ami-wire's: import those from there.
 * See docs/design/ami.md.
 */
export type { AmiError, AmiErrorCode, AmiResult } from './errors.ts';
export type { BackoffOptions } from './backoff.ts';
export { backoffDelay } from './backoff.ts';
export type {
  AmiActionReply, AmiClient, AmiClientEvents, AmiClientOptions, AmiConnectedInfo, AmiDisconnectedInfo, AmiResyncInfo, OriginateInput, OriginateOutcome,
} from './client.ts';
export { connectAmi } from './client.ts';
