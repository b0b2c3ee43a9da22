/**
 * @module contracts: the 13 hook contracts, written once, and everything derived from them: runtime
 * validation, the engine's types, the editor's .d.ts, the docs; plus call_full and the error catalogue.
 */
export { HOOK_NAMES, DEFAULT_LIMITS, type HookName, type HookLimits, type HookContract } from './contract.ts';
export { hooks, type Hooks } from './hooks/index.ts';
export { DEFAULT_RECORD_SCRIPT } from './hooks/process-record-file-path.ts';
export { validateInput, validateOutput, defaultData, type HookInput, type HookData, type Validation } from './validate.ts';
export { editorTypings, GENERATED_HEADER } from './typings.ts';
export { hooksDoc, errorsDoc } from './docs.ts';
export { typeCheck, type Diagnostic } from './typecheck.ts';
export {
  makeError, describeWhere, isScriptFailure, errorCatalogue, errorCodes,
  type ErrorCode, type HooklineError, type ErrorParams, type ErrorWhere,
} from './errors.ts';
export {
  CallFullSchema, CALL_STAGES, RESULT_TO_KOMMO, UNSET_TIME, canonicalJson, sortKeysDeep,
  type CallFull, type CallStage, type Channel, type Conversation, type Party, type Trunk, type User, type Entity, type Deal,
  type ChannelState, type ChannelType, type DateTime,
} from './call-full.ts';
export { isHookName, limitsFor } from './lookup.ts';
export { CAPABILITY_TEMPLATES, type CapabilityTemplate } from './templates.ts';
