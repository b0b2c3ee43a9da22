/**
 * @module ami-wire — the Asterisk Manager Interface as bytes: the framing parser (wire → AmiMessage blocks,
 * faults as values) and the action writer (AmiAction → wire text, CR/LF injection refused). Pure: no socket, no
 * clock. engine/ami's client, sim/pbx, demo/ and the benches read and write AMI through it. See docs/design/ami.md.
 */
export type { AmiMessage, AmiProblem, AmiProblemCode, AmiParseResult } from './message.ts';
export { header, headers } from './message.ts';
export type { AmiParserOptions } from './parser.ts';
export { AmiParser, parseAmi, parseAmiText } from './parser.ts';
export type { AmiAction, AmiActionValue, AmiActionProblem, AmiFormatResult } from './writer.ts';
export { formatAction } from './writer.ts';
