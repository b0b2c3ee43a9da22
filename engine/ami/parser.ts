/**
 * AMI framing: bytes from the wire → header blocks. Pure and incremental: `push` any chunking of the same
 * bytes and the messages come out the same. Lines end at CRLF only (Asterisk's output format), so a bare
 * LF inside a value stays in the value (reported), and Asterisk 13's `Response: Follows` output, whose
 * lines end in bare LF, arrives whole as the `Output` value. Every fault is reported once as a problem
 * value, never thrown, and the parser goes on with the next block.
 */
import type { AmiMessage, AmiParseResult, AmiProblem, AmiProblemCode } from './message.ts';
import { addHeader, buildSlowly, ShapeTrie, type ShapeNode } from './shapes.ts';

export interface AmiParserOptions {
  /** Longest line kept, in UTF-16 code units (≈ bytes for ASCII). Longer lines are skipped without buffering. Default 64 KiB. */
  maxLineLength?: number;
  /** Largest block kept, in code units of its lines. Default 1 MiB. */
  maxBlockLength?: number;
  /** Most headers in one block. Default 1000. */
  maxHeaders?: number;
  /** A block must carry one of these keys (exact case) or it is reported and dropped. Default Event, Response; [] accepts any block. */
  requiredKeys?: readonly string[];
  /**
   * `value` (default): only CRLF ends a line; a bare LF is kept in the value and reported.
   * `line-end`: a bare LF also ends a line, as Asterisk reads actions (sim/pbx uses this).
   */
  bareLf?: 'value' | 'line-end';
}

const BANNER_PREFIX = 'Asterisk Call Manager/';
const FOLLOWS_END = '--END COMMAND--';
const SAMPLE_LENGTH = 80;


function sample(text: string): string {
  const s = text.length > SAMPLE_LENGTH ? `${text.slice(0, SAMPLE_LENGTH)}…` : text;
  return JSON.stringify(s);
}

function countReplacementBytes(chunk: Buffer): number {
  let n = 0;
  let i = chunk.indexOf(0xef);
  while (i !== -1 && i + 2 < chunk.length) {
    if (chunk[i + 1] === 0xbf && chunk[i + 2] === 0xbd) n++;
    i = chunk.indexOf(0xef, i + 1);
  }
  return n;
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

export class AmiParser {
  /** The banner version (`Asterisk Call Manager/<version>`) once seen, else undefined. */
  banner: string | undefined;

  private readonly maxLine: number;
  private readonly maxBlock: number;
  private readonly maxHeaders: number;
  private readonly required: readonly string[];
  private readonly lfEndsLine: boolean;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  /** Undecoded-complete text not yet split into lines. */
  private pending = '';
  /** The block being built: while `node` is set, its names are node.keys and its values `values`; else `block`. */
  private readonly trie = new ShapeTrie();
  private node: ShapeNode | undefined;
  private readonly values: string[] = [];
  private block: AmiMessage = {};
  /** Per trie node: does the block carry a required key (cached). */
  private readonly requiredAt = new WeakMap<ShapeNode, boolean>();
  private blockHeaders = 0;
  private blockLength = 0;
  private blockLines = 0;
  private firstLine = '';
  /** The first fault in the current block, reported when the block ends; later ones are counted. */
  private blockProblem: { code: AmiProblemCode; message: string } | undefined;
  private blockExtraProblems = 0;
  /** The block is dropped at its end (too large, a line too long). */
  private blockDropped = false;
  /** Skipping the rest of an over-long line (nothing buffered). */
  private skippingLine = false;
  private skippedLength = 0;
  private sawStart = false;
  /** The block is a `Response: Follows` (Asterisk 13 Command output). */
  private follows = false;

  constructor(options: AmiParserOptions = {}) {
    this.maxLine = options.maxLineLength ?? 64 * 1024;
    this.maxBlock = options.maxBlockLength ?? 1024 * 1024;
    this.maxHeaders = options.maxHeaders ?? 1000;
    this.required = options.requiredKeys ?? ['Event', 'Response'];
    this.lfEndsLine = options.bareLf === 'line-end';
    this.node = this.trie.root;
  }

  push(chunk: Buffer | Uint8Array): AmiParseResult {
    const messages: AmiMessage[] = [];
    const problems: AmiProblem[] = [];
    const text = this.decoder.decode(chunk, { stream: true });
    if (text.indexOf('\uFFFD') !== -1) this.checkUtf8(text, chunk, problems);
    this.consume(text, messages, problems);
    return { messages, problems };
  }

  /** The stream ended: a block without its closing empty line is reported, not delivered. */
  end(): AmiParseResult {
    const messages: AmiMessage[] = [];
    const problems: AmiProblem[] = [];
    const text = this.decoder.decode();
    if (text.indexOf('\uFFFD') !== -1) {
      problems.push({ code: 'AMI_INVALID_UTF8', message: 'the stream ended inside a UTF-8 sequence; it was replaced by U+FFFD' });
    }
    this.consume(text, messages, problems);
    const rest = this.pending;
    this.pending = '';
    if (this.skippingLine || rest.length > 0 || this.blockLines > 0) {
      const first = this.blockLines > 0 ? this.firstLine : rest;
      problems.push({
        code: 'AMI_TRUNCATED',
        message: `the stream ended inside a block (no closing empty line); it was dropped: ${sample(first)}`,
      });
    }
    this.resetBlock();
    this.skippingLine = false;
    return { messages, problems };
  }

  private checkUtf8(text: string, chunk: Buffer | Uint8Array, problems: AmiProblem[]): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const replaced = countChar(text, '\uFFFD') - countReplacementBytes(buf);
    if (replaced > 0) {
      problems.push({
        code: 'AMI_INVALID_UTF8',
        message: `${replaced} invalid UTF-8 sequence(s) in the stream were replaced by U+FFFD`,
      });
    }
  }

  private consume(text: string, messages: AmiMessage[], problems: AmiProblem[]): void {
    let buf = text;
    let pos = 0;
    if (this.skippingLine) {
      buf = this.pending + text;
      this.pending = '';
      pos = this.skipLine(buf, 0);
      if (pos === -1) {
        // keep a trailing CR: the LF that ends the skipped line may come in the next chunk
        this.pending = buf.endsWith('\r') ? '\r' : '';
        return;
      }
    } else if (this.pending.length > 0) {
      // finish the pending line on its own, then scan the chunk's own (flat) string: scanning a
      // concatenation (a rope) costs an indirection on every character read
      const i = this.pendingLineEnd(text);
      if (i === -1) {
        buf = this.pending + text;
      } else {
        this.scan(this.pending + text.slice(0, i + 1), 0, messages, problems);
        this.pending = '';
        pos = i + 1;
      }
    }
    pos = this.scan(buf, pos, messages, problems);
    const len = buf.length;
    const tail = len - pos;
    if (tail > this.maxLine) {
      // an over-long line still arriving: drop what we have and skip to its end without buffering
      this.skippingLine = true;
      this.skippedLength = tail;
      this.pending = buf.endsWith('\r') ? '\r' : '';
      return;
    }
    this.pending = pos === 0 ? buf : pos >= len ? '' : buf.slice(pos);
  }

  /** Where in `text` the line begun in `pending` ends (the index of its LF), or -1. */
  private pendingLineEnd(text: string): number {
    let eol = text.indexOf('\n');
    if (this.lfEndsLine) return eol;
    while (eol !== -1) {
      const before = eol > 0 ? text.charCodeAt(eol - 1) : this.pending.charCodeAt(this.pending.length - 1);
      if (before === 13) return eol;
      eol = text.indexOf('\n', eol + 1);
    }
    return -1;
  }

  /** Read every complete line of `buf` from `pos`; returns where the incomplete tail begins. */
  private scan(buf: string, pos: number, messages: AmiMessage[], problems: AmiProblem[]): number {
    const len = buf.length;
    const lfEndsLine = this.lfEndsLine;
    const maxLine = this.maxLine;
    while (pos < len) {
      let eol = buf.indexOf('\n', pos);
      let lineEnd: number;
      let bareLf = false;
      if (lfEndsLine) {
        if (eol === -1) break;
        lineEnd = eol > pos && buf.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
      } else {
        // only CRLF ends a line: a bare LF stays in the line
        while (eol !== -1 && (eol === pos || buf.charCodeAt(eol - 1) !== 13)) {
          bareLf = true;
          eol = buf.indexOf('\n', eol + 1);
        }
        if (eol === -1) break;
        lineEnd = eol - 1;
      }
      if (lineEnd - pos > maxLine) {
        this.lineTooLong(lineEnd - pos);
        pos = eol + 1;
        continue;
      }
      if (lineEnd === pos) this.endBlock(messages, problems);
      else this.addLine(buf, pos, lineEnd, bareLf);
      pos = eol + 1;
    }
    return pos;
  }

  /** In skip mode: find the end of the over-long line; return the position after it, or -1. */
  private skipLine(buf: string, from: number): number {
    let eol = buf.indexOf('\n', from);
    if (!this.lfEndsLine) {
      while (eol !== -1 && (eol === 0 || buf.charCodeAt(eol - 1) !== 13)) eol = buf.indexOf('\n', eol + 1);
    }
    if (eol === -1) {
      this.skippedLength += buf.length;
      return -1;
    }
    this.skippedLength += eol;
    this.skippingLine = false;
    this.lineTooLong(this.skippedLength);
    this.skippedLength = 0;
    return eol + 1;
  }

  private lineTooLong(length: number): void {
    this.noteProblem('AMI_LINE_TOO_LONG', `a line of about ${length} characters is longer than the limit of ${this.maxLine}; its block was dropped`);
    this.blockDropped = true;
    if (this.blockLines === 0) this.firstLine = '(over-long line)';
    this.blockLines++;
  }

  private addLine(buf: string, start: number, end: number, bareLf: boolean): void {
    if (this.blockLines === 0) {
      const first = buf.slice(start, Math.min(end, start + SAMPLE_LENGTH + 1));
      this.firstLine = first;
      if (!this.sawStart) {
        this.sawStart = true;
        if (first.startsWith(BANNER_PREFIX)) {
          // the banner is one line with no empty line after it
          this.banner = buf.slice(start + BANNER_PREFIX.length, end);
          return;
        }
      }
    }
    this.blockLines++;
    if (this.blockDropped) return;
    this.blockLength += end - start;
    if (this.blockLength > this.maxBlock) {
      this.noteProblem('AMI_BLOCK_TOO_LARGE', `a block is larger than the limit of ${this.maxBlock} characters; it was dropped`);
      this.blockDropped = true;
      return;
    }
    if (this.follows && buf.startsWith(FOLLOWS_END, end - FOLLOWS_END.length)) {
      this.setHeader('Output', buf.slice(start, end - FOLLOWS_END.length));
      return;
    }
    const colon = buf.indexOf(':', start);
    if (colon <= start || colon >= end) {
      this.noteProblem('AMI_LINE_WITHOUT_COLON', `a line is not "Key: Value": ${sample(buf.slice(start, end))}`);
      return;
    }
    let v = colon + 1;
    if (v < end && buf.charCodeAt(v) === 32) v++;
    while (v < end) {
      const c = buf.charCodeAt(v);
      if (c !== 32 && c !== 9) break;
      v++;
    }
    const value = v === end ? '' : buf.slice(v, end);
    if (++this.blockHeaders > this.maxHeaders) {
      this.noteProblem('AMI_BLOCK_TOO_LARGE', `a block has more than ${this.maxHeaders} headers; it was dropped`);
      this.blockDropped = true;
      return;
    }
    // the usual case: the name is the one this shape had here before; no substring, no lookup by hash
    const node = this.node;
    if (node !== undefined && !bareLf) {
      const next = this.trie.find(node, buf, start, colon);
      if (next !== undefined) {
        this.node = next;
        this.values.push(value);
        if (value === 'Follows' && next.key === 'Response') this.follows = true;
        return;
      }
    }
    const key = buf.slice(start, colon);
    if (key === '__proto__' || (bareLf && key.indexOf('\n') !== -1)) {
      this.noteProblem('AMI_BAD_HEADER_NAME', `a header name is not valid: ${sample(key)}`);
      return;
    }
    if (bareLf && value.indexOf('\n') !== -1) {
      this.noteProblem('AMI_BARE_LF', `the value of ${key} contains a bare LF (kept in the value): ${sample(value)}`);
    }
    if (value === 'Follows' && key === 'Response') this.follows = true;
    this.setHeader(key, value);
  }

  private setHeader(key: string, value: string): void {
    const node = this.node;
    if (node !== undefined) {
      const next = this.trie.find(node, key, 0, key.length) ?? this.trie.add(node, key);
      if (next !== undefined) {
        this.node = next;
        this.values.push(value);
        return;
      }
      // the trie is full: go on property by property
      this.block = buildSlowly(node.keys, this.values);
      this.node = undefined;
    }
    addHeader(this.block, key, value);
  }

  private hasRequired(): boolean {
    const required = this.required;
    if (required.length === 0) return true;
    const node = this.node;
    if (node === undefined) {
      for (const k of required) if (this.block[k] !== undefined) return true;
      return false;
    }
    let known = this.requiredAt.get(node);
    if (known === undefined) {
      known = required.some((k) => node.keys.includes(k));
      this.requiredAt.set(node, known);
    }
    return known;
  }

  private noteProblem(code: AmiProblemCode, message: string): void {
    if (this.blockProblem === undefined) this.blockProblem = { code, message };
    else this.blockExtraProblems++;
  }

  private endBlock(messages: AmiMessage[], problems: AmiProblem[]): void {
    if (this.blockLines === 0) {
      // an empty line between blocks (or after the banner) is harmless
      this.blockProblem = undefined;
      return;
    }
    let delivered = !this.blockDropped;
    if (delivered && !this.hasRequired()) {
      delivered = false;
      this.noteProblem(
        'AMI_NO_EVENT_OR_RESPONSE',
        `a block has no ${this.required.join(' or ')} header; it was dropped. It begins ${sample(this.firstLine)}`,
      );
    }
    if (this.blockProblem !== undefined) {
      const extra = this.blockExtraProblems > 0 ? ` (and ${this.blockExtraProblems} more fault(s) in the same block)` : '';
      const where = this.blockProblem.code === 'AMI_NO_EVENT_OR_RESPONSE' ? '' : ` in the block that begins ${sample(this.firstLine)}`;
      problems.push({ code: this.blockProblem.code, message: `${this.blockProblem.message}${where}${extra}` });
    }
    if (delivered) messages.push(this.node !== undefined ? this.trie.build(this.node, this.values) : this.block);
    this.resetBlock();
  }

  private resetBlock(): void {
    this.node = this.trie.root;
    this.values.length = 0;
    this.block = {};
    this.blockHeaders = 0;
    this.blockLength = 0;
    this.blockLines = 0;
    this.firstLine = '';
    this.blockProblem = undefined;
    this.blockExtraProblems = 0;
    this.blockDropped = false;
    this.follows = false;
  }
}

/** Parse a whole text (a fixture, a test's literal) in one go; returns messages and problems. */
export function parseAmi(text: string, options?: AmiParserOptions): AmiParseResult {
  // texts written with LF line ends (test literals, files checked out with LF) are read as CRLF
  const wire = text.indexOf('\r\n') === -1 ? text.replace(/\n/g, '\r\n') : text;
  const parser = new AmiParser(options);
  const a = parser.push(Buffer.from(wire, 'utf8'));
  const tail = wire.endsWith('\r\n\r\n') ? '' : wire.endsWith('\r\n') ? '\r\n' : '\r\n\r\n';
  const b = parser.push(Buffer.from(tail, 'utf8'));
  const c = parser.end();
  return { messages: [...a.messages, ...b.messages, ...c.messages], problems: [...a.problems, ...b.problems, ...c.problems] };
}

/**
 * The messages of an AMI text: a fixture file's content or a test literal (CRLF or LF line ends; the
 * last block's closing empty line may be left out). Problems are not silent: use `parseAmi` to see them.
 */
export function parseAmiText(text: string): AmiMessage[] {
  return parseAmi(text).messages;
}
