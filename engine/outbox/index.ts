/** @module engine/outbox — the durable, linkedid-keyed journal of registration work (docs/design/outbox.md). */
export { openOutbox, OUTBOX_FILE, OUTBOX_SCHEMA, type Outbox, type OutboxJob, type OutboxOptions, type OutboxOutcome, type StepRecord, type StepStatus } from './outbox.ts';
