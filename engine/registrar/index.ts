/** @module engine/registrar — registers finished calls in Kommo through the CRM hook points, journaled in the outbox (docs/design/registrar.md). */
export { createRegistrar, type Registrar, type RegistrarOptions, type RegistrarStats, type StartResult } from './registrar.ts';
export { toRegistration, notRegisteredReason } from './to-registration.ts';
export type { RegistrationSettings } from './settings.ts';
export type { CallToRegister, EntityRef, DealRef, RecordingLinker } from './job.ts';
export { toUnix, secondsBetween } from './time.ts';
export { createUserDirectory, type UserDirectory } from './users.ts';
