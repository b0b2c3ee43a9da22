/** @module engine — the call engine assembled (AMI, tracker, stage hooks, registrar, outbox). docs/DESIGN.md. */
export { createEngine, trackerConfig, ENGINE_AMI_ONLY, type Engine, type EngineOptions } from './engine.ts';
export type { FinishedCall } from './calls/index.ts';
export type { CallToRegister, RecordingLinker } from './registrar/index.ts';
