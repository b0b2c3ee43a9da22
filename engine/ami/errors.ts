/** Errors of the AMI client, as values: a code from this list and a message that says what and where. */
import type { ErrorCode } from '../../contracts/index.ts';
import type { AmiMessage } from '../../ami-wire/index.ts';

/** Listed in the error catalogue (contracts/errors-service.ts): a code missing there drops out and fails to type-check where used. */
export type AmiErrorCode = Extract<
  ErrorCode,
  /** No logged-in connection right now (connecting, or waiting to reconnect). */
  | 'AMI_NOT_CONNECTED'
  /** The client was closed. */
  | 'AMI_CLOSED'
  /** The connection was lost before the answer came. */
  | 'AMI_DISCONNECTED'
  /** No answer within the action's time limit. */
  | 'AMI_TIMEOUT'
  /** The action cannot be sent: a CR/LF in a value, a bad header name, no Action, an ActionID in use. Nothing was sent. */
  | 'AMI_BAD_ACTION'
  /** Asterisk answered `Response: Error`; `response` holds the answer. */
  | 'AMI_ACTION_ERROR'
  /** Login refused (wrong username or secret, or no permission). */
  | 'AMI_LOGIN_FAILED'
  /** No banner and login answer within loginTimeoutMs (a server that accepts TCP and never answers). */
  | 'AMI_LOGIN_TIMEOUT'
  /** TCP connect failed (refused, unreachable). */
  | 'AMI_CONNECT_FAILED'
  /** The server closed the connection, or the socket failed. */
  | 'AMI_CONNECTION_LOST'
  /** A Ping got no answer within pingTimeoutMs: the connection is taken as dead and closed. */
  | 'AMI_PING_TIMEOUT'
>;

export interface AmiError {
  code: AmiErrorCode;
  message: string;
  /** The Asterisk answer, for AMI_ACTION_ERROR and AMI_LOGIN_FAILED. */
  response?: AmiMessage;
}

export type AmiResult<T> = { ok: true; value: T } | { ok: false; error: AmiError };

export function amiError(code: AmiErrorCode, message: string, response?: AmiMessage): AmiError {
  return response === undefined ? { code, message } : { code, message, response };
}

export function fail<T>(code: AmiErrorCode, message: string, response?: AmiMessage): AmiResult<T> {
  return { ok: false, error: amiError(code, message, response) };
}
