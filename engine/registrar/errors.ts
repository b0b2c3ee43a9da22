/** Which Kommo failures end a registration step for good, and which leave the call queued for a later try. */
import type { KommoError } from '../kommo/index.ts';

const PERMANENT = new Set(['KOMMO_BAD_REQUEST', 'KOMMO_ENTITY_NOT_FOUND', 'KOMMO_TOO_MANY_ENTITIES', 'KOMMO_NOT_FOUND', 'KOMMO_NO_PHONE_FIELD']);

export function isPermanent(e: KommoError): boolean {
  return PERMANENT.has(e.code);
}

/** Thrown inside a registration to stop it; the registrar catches it and decides retry or failure. */
export class StepFailure extends Error {
  readonly step: string;
  readonly error: { code: string; message: string; hint?: string };
  readonly permanent: boolean;
  /** The write may have reached Kommo (a timeout, a reset, 500/502/504): the retry reconciles, after a pause. */
  readonly maybeWritten: boolean;
  constructor(step: string, error: { code: string; message: string; hint?: string }, permanent: boolean, maybeWritten = false) {
    super(`${step}: ${error.code} ${error.message}`);
    this.step = step;
    this.error = error;
    this.permanent = permanent;
    this.maybeWritten = maybeWritten;
  }
}
