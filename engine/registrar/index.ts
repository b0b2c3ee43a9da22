/** @module engine/registrar — registers finished calls in Kommo through the CRM hook points, journaled in the outbox (docs/design/registrar.md). */
export { createRegistrar, type Registrar, type RegistrarOptions, type RegistrarStats, type RecordingLinker, type StartResult } from './registrar.ts';
export type { RegistrationSettings } from './steps.ts';
export type { CallToRegister, EntityRef, DealRef } from './job.ts';
export { toUnix, secondsBetween } from './time.ts';
export { createUserDirectory, type UserDirectory } from './users.ts';
