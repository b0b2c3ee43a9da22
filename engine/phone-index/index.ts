/**
 * @module engine/phone-index — a copy of the phones of the Kommo account's contacts and companies, kept in the data
 * folder and fresh (issue 20): a call from a known client costs no phone search. docs/design/phone-index.md.
 */
export { createPhoneIndex, phonesOf, GONE_EVENTS, type PhoneIndex, type PhoneIndexHit, type PhoneIndexOptions, type PhoneIndexStatus } from './phone-index.ts';
export { createTable, keysOfPhones, type HolderKind, type IndexedEntity, type Row, type Table } from './table.ts';
export { INDEX_FILE } from './file.ts';
export { observeLookups } from './observed.ts';
