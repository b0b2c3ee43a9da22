/**
 * What happens at every stage of a call before anything reaches the CRM (hooks.md rows 1-2):
 * the built-in black/white lists, then need_registration, then the client's number (built-in replacement
 * rules, then process_client_phone). A failing script never stops the stage: its hook's default is used.
 */
import { isScriptFailure, type CallStage, type CallFull } from '../../contracts/index.ts';
import type { HookInvoker } from '../hooks/index.ts';
import { applyLists, type FilterConfig } from './lists.ts';
import type { PhoneNormalizer } from '../phone/index.ts';

export interface StageInput {
  stage: CallStage;
  linkedid: string;
  call: CallFull;
  /** The external party's number as the tracker saw it; null for an internal call. */
  clientNumber: string | null;
}

export interface StageContext {
  filters: FilterConfig;
  normalizePhone: PhoneNormalizer;
  hooks: HookInvoker;
  /** The Kommo user of an extension (config `users`, names from the account), for call_full's conversation users. */
  users?: (extension: string) => CallUser | null;
  /**
   * What a failed need_registration means (config hooks.need_registration.onFailure): "register" (the hook's
   * default data, result true) or "skip" (the stage registers nothing). Default "register".
   */
  needRegistrationOnFailure?: 'register' | 'skip';
}

type CallUser = NonNullable<CallFull['conversations'][string]['user']>;

/**
 * call_full with each conversation's `user`: the Kommo user of the extension it rang (or that placed it), as
 * call_full.md says; the tracker knows no users. The stage hooks and the registrar's hooks both see it so.
 * A new call_full when a user was added (the one given is not changed).
 */
export function withConversationUsers(call: CallFull, users: StageContext['users']): CallFull {
  if (!users) return call;
  let conversations: CallFull['conversations'] | null = null;
  for (const [id, conv] of Object.entries(call.conversations)) {
    if (conv.user) continue;
    const ch = conv.channel;
    const ext = ch.to.is_internal ? ch.to.number : ch.from.is_internal ? ch.from.number : '';
    const user = ext ? users(ext) : null;
    if (!user) continue;
    conversations ??= { ...call.conversations };
    conversations[id] = { ...conv, user };
  }
  return conversations ? { ...call, conversations } : call;
}

export type StageDecision =
  | { register: false; stage: CallStage; linkedid: string; reason: string }
  | { register: true; stage: CallStage; linkedid: string; phone: string };

export async function decideStage(s: StageInput, ctx: StageContext): Promise<StageDecision> {
  const base = { stage: s.stage, linkedid: s.linkedid };
  const lists = applyLists(s.call, ctx.filters);
  if (!lists.allow) return { ...base, register: false, reason: lists.reason };

  const call = withConversationUsers(s.call, ctx.users);
  const need = await ctx.hooks.invoke('need_registration', { call_full: call, call_stage: s.stage }, { linkedid: s.linkedid });
  if (need.error && isScriptFailure(need.error.code) && ctx.needRegistrationOnFailure === 'skip') {
    return { ...base, register: false, reason: `need_registration failed (${need.error.code}) and hooks.need_registration.onFailure is "skip"` };
  }
  if (!need.data.result) return { ...base, register: false, reason: 'need_registration returned false' };

  if (s.clientNumber === null) return { ...base, register: false, reason: 'internal call: there is no client to register' };
  const replaced = ctx.normalizePhone(s.clientNumber);
  const phone = await ctx.hooks.invoke('process_client_phone', { call_full: call, call_stage: s.stage, phone: replaced }, { linkedid: s.linkedid });
  return { ...base, register: true, phone: phone.data.phone };
}
