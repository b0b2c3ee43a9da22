/** @module engine/phone — the phone number rules (replacement rules, then libphonenumber) applied before process_client_phone. */
export { createPhoneNormalizer, type PhoneRules, type PhoneNormalizer } from './normalize.ts';
