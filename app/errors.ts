/** A start that cannot go on: its code, what went wrong and what to do, as `hookline start` prints them. */
export class ServiceError extends Error {
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}
