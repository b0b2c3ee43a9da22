/** @module scripts-store: drafts, published versions, history, captured inputs and the failure log (lowdb). */
export {
  openStore, SCRIPTS_SCHEMA,
  type Store, type StoreOptions, type StoreResult, type Draft, type Version, type HookScripts, type HookState, type Capture, type Failure,
} from './store.ts';
