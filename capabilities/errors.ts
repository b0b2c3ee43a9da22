/**
 * A capability call that fails answers the script with an error value: a rejected promise whose Error carries
 * `code` and a message saying what went wrong and what to do (docs/errors.md lists the codes). Nothing of the
 * host (a stack, a socket, a token) crosses.
 */
export type CapabilityErrorCode =
  | 'CAPABILITY_NOT_GRANTED'
  | 'FETCH_REFUSED'
  | 'FETCH_TOO_LARGE'
  | 'FETCH_TIMEOUT'
  | 'FETCH_FAILED'
  | 'CAPABILITY_LIMIT'
  | 'NOT_IN_CAPTURE'
  | 'KOMMO_REQUEST_FAILED'
  | 'STORE_LIMIT'
  | 'CAPABILITY_BAD_ARGUMENT';

export class CapabilityError extends Error {
  readonly code: CapabilityErrorCode;
  constructor(code: CapabilityErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export const capError = (code: CapabilityErrorCode, message: string) => new CapabilityError(code, message);
