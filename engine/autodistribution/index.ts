/**
 * @module engine/autodistribution — GET /autodistribution: the extension of the calling client's responsible
 * manager, for Asterisk's dialplan (CURL() + CUT()), within a deadline. See docs/design/autodistribution.md.
 */
export { createAutodistribution, sendReserveMs, type Autodistribution, type AutodistributionOptions, type DecideOptions, type Decision, type DecisionReason } from './autodistribution.ts';
export { createAllowList, plainAddress, type AllowList } from './allow-list.ts';
export { cleanName, formatAnswer, MAX_NAME_CHARS } from './answer.ts';
