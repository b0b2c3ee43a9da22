/** @module scripts-store: drafts, published versions, history, captured inputs and the failure log, in files held by lowdb. */
export { openStore, StoreWriteError, type Store, type StoreOptions, type StoreFileName, type HookState } from './store.ts';
export { SCRIPTS_SCHEMA, type StoreResult, type PublishCheck, type PublishOptions, type RollbackOptions } from './scripts.ts';
export { CAPTURES_SCHEMA, type CaptureInput } from './captures.ts';
export { FAILURES_SCHEMA, type FailureInput } from './failures.ts';
export type { Draft, Version, HookScripts, ScriptsFile, Capture, Failure, TestCase } from './schema.ts';
export { MAX_TEST_CASES, type TestCaseInput } from './test-cases.ts';
export { acquireDataLock, LOCK_FILE, LOCK_FOREIGN_STALE_MS, LOCK_HEARTBEAT_MS, type DataLock, type DataLockOptions } from './lock.ts';
