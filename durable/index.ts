/**
 * @module durable: writing files so that they survive a crash or a power cut. Low level: it imports no other
 * module, and the modules that keep data on disk (scripts-store, engine/outbox, stories) import it.
 */
export { writeFileAtomic, createSerialQueue } from './atomic-write.ts';
export { frameRecord, readFrames, unframe, type FramedRecord, type ReadFrames } from './record-frame.ts';
