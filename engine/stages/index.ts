/** @module engine/stages — what runs at each stage: built-in lists, need_registration, the phone rules, process_client_phone. */
export { decideStage, withConversationUsers, type StageInput, type StageContext, type StageDecision } from './decide-stage.ts';
