export type { AmiMessage, AmiProblem, AmiProblemCode, AmiParseResult } from './message.ts';
export { header, headers } from './message.ts';
export type { AmiParserOptions } from './parser.ts';
export { AmiParser, parseAmi, parseAmiText } from './parser.ts';
