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
  /**
   * Only what the reader needs. An `Event` block whose Event is not in `events` is framed and skipped: none
   * of its headers is decoded, it is not delivered, and faults after its first line are not looked for. In
   * the other `Event` blocks only `headers` (when given) are kept. Responses, and blocks that do not begin
   * with `Event`, are always whole. `parser.filtering = false` turns this off for a while.
   */
  only?: { events: Iterable<string>; headers?: Iterable<string> };
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
  /**
   * Whether `only` applies (true when it was given). The client turns it off while an action waits for its
   * answer, so that list items come whole. Takes effect at once between blocks, else at the next block.
   */
  get filtering(): boolean {
    return this.filterOn;
  }

  set filtering(on: boolean) {
    this.filterOn = on;
    if (this.blockLines === 0 && !this.skippingBlock && !this.skippingLine) this.resetBlock();
  }

  /** `Event` blocks skipped by `only.events` so far (framed, not decoded, not delivered). */
  skippedBlocks = 0;

  private readonly maxLine: number;
  private readonly maxBlock: number;
  private readonly maxHeaders: number;
  private readonly required: readonly string[];
  private readonly lfEndsLine: boolean;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private readonly events: ReadonlySet<string> | undefined;
  private filterOn: boolean;

  /** Undecoded-complete text not yet split into lines (in block-skipping mode: at most the last 3 characters). */
  private pending = '';
  /** Shapes of whole blocks, and (with `only.headers`) of filtered blocks. */
  private readonly fullTrie = new ShapeTrie();
  private readonly onlyTrie: ShapeTrie | undefined;
  /** The block being built: while `node` is set, its names are node.kept and its values `values`; else `block`. */
  private trie: ShapeTrie;
  private node: ShapeNode | undefined;
  private readonly values: string[] = [];
  private block: AmiMessage = {};
  /** The first header name of the block ('' before it). */
  private blockFirst = '';
  /** `only` applies to this block (read at its start). */
  private blockOnly: boolean;
  private blockHeaders = 0;
  private blockLength = 0;
  private blockLines = 0;
  /** The first line, for messages: its text when read by the slow path, else built from `blockFirst` and `firstValue`. */
  private firstLine = '';
  private firstValue = '';
  /** The first fault in the current block, reported when the block ends; later ones are counted. */
  private blockProblem: { code: AmiProblemCode; message: string } | undefined;
  private blockExtraProblems = 0;
  /** The block is dropped at its end (too large, a line too long). */
  private blockDropped = false;
  /** Skipping the rest of an over-long line (nothing buffered). */
  private skippingLine = false;
  private skippedLength = 0;
  /** Skipping the rest of a block `only.events` leaves out, up to its empty line (nothing buffered). */
  private skippingBlock = false;
  private sawStart = false;
  /** The block is a `Response: Follows` (Asterisk 13 Command output). */
  private follows = false;

  constructor(options: AmiParserOptions = {}) {
    this.maxLine = options.maxLineLength ?? 64 * 1024;
    this.maxBlock = options.maxBlockLength ?? 1024 * 1024;
    this.maxHeaders = options.maxHeaders ?? 1000;
    this.required = options.requiredKeys ?? ['Event', 'Response'];
    this.lfEndsLine = options.bareLf === 'line-end';
    const only = this.lfEndsLine ? undefined : options.only;
    this.events = only ? new Set(only.events) : undefined;
    this.onlyTrie = only?.headers ? new ShapeTrie(undefined, new Set(only.headers)) : undefined;
    this.filterOn = only !== undefined;
    this.blockOnly = this.filterOn;
    this.trie = this.filterOn && this.onlyTrie ? this.onlyTrie : this.fullTrie;
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
    if (this.skippingLine || this.skippingBlock || rest.length > 0 || this.blockLines > 0) {
      const first = this.blockLines > 0 ? this.firstLineText() : rest;
      problems.push({
        code: 'AMI_TRUNCATED',
        message: `the stream ended inside a block (no closing empty line); it was dropped: ${sample(first)}`,
      });
    }
    this.resetBlock();
    this.skippingLine = false;
    this.skippingBlock = false;
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
    if (this.skippingBlock) {
      pos = this.skipBlockAcrossSeam(text, messages, problems);
      if (pos === -1) return;
    } else if (this.skippingLine) {
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
        const line = this.pending + text.slice(0, i + 1);
        this.pending = '';
        const at = this.scan(line, 0, messages, problems);
        pos = i + 1;
        if (this.skippingBlock) {
          // the pending line began a block that is skipped: its end is further on
          this.pending = line.slice(at);
          pos = this.skipBlockAcrossSeam(text.slice(pos), messages, problems);
          if (pos === -1) return;
          pos += i + 1;
        }
      }
    }
    pos = this.scan(buf, pos, messages, problems);
    const len = buf.length;
    const tail = len - pos;
    if (tail > this.maxLine && !this.skippingBlock) {
      // an over-long line still arriving: drop what we have and skip to its end without buffering
      this.skippingLine = true;
      this.skippedLength = tail;
      this.pending = buf.endsWith('\r') ? '\r' : '';
      return;
    }
    this.pending = pos === 0 ? buf : pos >= len ? '' : buf.slice(pos);
  }

  /**
   * In block-skipping mode, `pending` holds the last (at most 3) characters seen: find the empty line that
   * ends the block in `pending + text` without joining them. Returns where in `text` the next block begins,
   * or -1 (still skipping; `pending` updated).
   */
  private skipBlockAcrossSeam(text: string, messages: AmiMessage[], problems: AmiProblem[]): number {
    const held = this.pending;
    let after = -1;
    if (held.length > 0) {
      const e = (held + text.slice(0, 3)).indexOf('\r\n\r\n');
      if (e !== -1) after = e + 4 - held.length;
    }
    if (after === -1) {
      const e = text.indexOf('\r\n\r\n');
      if (e !== -1) after = e + 4;
    }
    if (after === -1) {
      this.pending = text.length >= 3 ? text.slice(text.length - 3) : (held + text).slice(-3);
      return -1;
    }
    this.pending = '';
    this.skippingBlock = false;
    this.endBlock(messages, problems, true);
    return after;
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

  /**
   * Read every complete line of `buf` from `pos`; returns where the incomplete tail begins. When a block is
   * to be skipped and its end is not in `buf`, `skippingBlock` is set and the tail returned is at most 3
   * characters (enough to find a CRLF CRLF across the seam).
   */
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
      if (lineEnd === pos) {
        this.endBlock(messages, problems, false);
        pos = eol + 1;
        continue;
      }
      // the usual line: the name is one this shape had here before; matched in place, no substring for it
      const node = this.node;
      let skip = false;
      let next: ShapeNode | undefined;
      if (node !== undefined && !bareLf && this.sawStart && !this.blockDropped && !this.follows) {
        next = this.trie.match(node, buf, pos);
        if (next !== undefined && (this.blockLength + (lineEnd - pos) > this.maxBlock || this.blockHeaders >= this.maxHeaders)) next = undefined;
      }
      if (next !== undefined) {
        this.blockLength += lineEnd - pos;
        this.blockHeaders++;
        this.blockLines++;
        this.node = next;
        if (!next.keep) {
          pos = eol + 1;
          continue;
        }
        let v = pos + next.prefix.length;
        while (v < lineEnd) {
          const c = buf.charCodeAt(v);
          if (c !== 32 && c !== 9) break;
          v++;
        }
        const value = v === lineEnd ? '' : buf.slice(v, lineEnd);
        this.values.push(value);
        if (this.blockHeaders === 1) skip = this.firstHeader(next.key, value);
      } else {
        skip = this.addLine(buf, pos, lineEnd, bareLf);
      }
      if (!skip) {
        pos = eol + 1;
        continue;
      }
      // an event the reader does not need: find its end without reading its lines
      const e = buf.indexOf('\r\n\r\n', lineEnd);
      if (e === -1) {
        this.skippingBlock = true;
        return Math.max(lineEnd, len - 3);
      }
      this.endBlock(messages, problems, true);
      pos = e + 4;
    }
    return pos;
  }

  /** The first header of a block was read: note it; true when `only.events` skips the block. */
  private firstHeader(key: string, value: string): boolean {
    this.blockFirst = key;
    this.firstValue = value;
    if (key === 'Response' && value === 'Follows') this.follows = true;
    return this.blockOnly && key === 'Event' && this.events !== undefined && !this.events.has(value);
  }

  private firstLineText(): string {
    if (this.firstLine !== '' || this.blockFirst === '') return this.firstLine;
    const v = this.firstValue.length > SAMPLE_LENGTH ? this.firstValue.slice(0, SAMPLE_LENGTH + 1) : this.firstValue;
    return `${this.blockFirst}: ${v}`;
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

  /** A line the fast path does not take (a new shape, the banner, a fault, Follows output). True when the block is skipped. */
  private addLine(buf: string, start: number, end: number, bareLf: boolean): boolean {
    if (this.blockLines === 0) {
      const first = buf.slice(start, Math.min(end, start + SAMPLE_LENGTH + 1));
      this.firstLine = first;
      if (!this.sawStart) {
        this.sawStart = true;
        if (first.startsWith(BANNER_PREFIX)) {
          // the banner is one line with no empty line after it
          this.banner = buf.slice(start + BANNER_PREFIX.length, end);
          this.firstLine = '';
          return false;
        }
      }
    }
    this.blockLines++;
    if (this.blockDropped) return false;
    this.blockLength += end - start;
    if (this.blockLength > this.maxBlock) {
      this.noteProblem('AMI_BLOCK_TOO_LARGE', `a block is larger than the limit of ${this.maxBlock} characters; it was dropped`);
      this.blockDropped = true;
      return false;
    }
    if (this.follows && buf.startsWith(FOLLOWS_END, end - FOLLOWS_END.length)) {
      this.setHeader('Output', buf.slice(start, end - FOLLOWS_END.length));
      return false;
    }
    const colon = buf.indexOf(':', start);
    if (colon <= start || colon >= end) {
      this.noteProblem('AMI_LINE_WITHOUT_COLON', `a line is not "Key: Value": ${sample(buf.slice(start, end))}`);
      return false;
    }
    let v = colon + 1;
    while (v < end) {
      const c = buf.charCodeAt(v);
      if (c !== 32 && c !== 9) break;
      v++;
    }
    const value = v === end ? '' : buf.slice(v, end);
    if (++this.blockHeaders > this.maxHeaders) {
      this.noteProblem('AMI_BLOCK_TOO_LARGE', `a block has more than ${this.maxHeaders} headers; it was dropped`);
      this.blockDropped = true;
      return false;
    }
    const key = buf.slice(start, colon);
    if (key === '__proto__' || (bareLf && key.indexOf('\n') !== -1)) {
      this.blockHeaders--;
      this.noteProblem('AMI_BAD_HEADER_NAME', `a header name is not valid: ${sample(key)}`);
      return false;
    }
    if (bareLf && value.indexOf('\n') !== -1) {
      this.noteProblem('AMI_BARE_LF', `the value of ${key} contains a bare LF (kept in the value): ${sample(value)}`);
    }
    this.setHeader(key, value);
    return this.blockHeaders === 1 && this.firstHeader(key, value);
  }

  private setHeader(key: string, value: string): void {
    const node = this.node;
    if (node !== undefined) {
      const next = this.trie.find(node, key) ?? this.trie.add(node, key);
      if (next !== undefined) {
        this.node = next;
        if (next.keep) this.values.push(value);
        return;
      }
      // the trie is full: go on property by property
      this.block = buildSlowly(node.kept, this.values);
      this.node = undefined;
    }
    if (this.trie.keeps(this.blockHeaders <= 1 ? '' : this.blockFirst, key)) addHeader(this.block, key, value);
  }

  private hasRequired(): boolean {
    const required = this.required;
    if (required.length === 0) return true;
    const node = this.node;
    if (node === undefined) {
      for (const k of required) if (this.block[k] !== undefined) return true;
      return false;
    }
    let known = node.required;
    if (known === undefined) {
      known = required.some((k) => node.kept.includes(k));
      node.required = known;
    }
    return known;
  }

  private noteProblem(code: AmiProblemCode, message: string): void {
    if (this.blockProblem === undefined) this.blockProblem = { code, message };
    else this.blockExtraProblems++;
  }

  /** The empty line that ends a block: deliver it (unless `skipped` or dropped) and report its first fault. */
  private endBlock(messages: AmiMessage[], problems: AmiProblem[], skipped: boolean): void {
    if (this.blockLines === 0) {
      // an empty line between blocks (or after the banner) is harmless
      this.blockProblem = undefined;
      this.resetBlock();
      return;
    }
    let delivered = !this.blockDropped && !skipped;
    if (skipped) this.skippedBlocks++;
    if (delivered && !this.hasRequired()) {
      delivered = false;
      this.noteProblem(
        'AMI_NO_EVENT_OR_RESPONSE',
        `a block has no ${this.required.join(' or ')} header; it was dropped. It begins ${sample(this.firstLineText())}`,
      );
    }
    if (this.blockProblem !== undefined) {
      const extra = this.blockExtraProblems > 0 ? ` (and ${this.blockExtraProblems} more fault(s) in the same block)` : '';
      const where = this.blockProblem.code === 'AMI_NO_EVENT_OR_RESPONSE' ? '' : ` in the block that begins ${sample(this.firstLineText())}`;
      problems.push({ code: this.blockProblem.code, message: `${this.blockProblem.message}${where}${extra}` });
    }
    if (delivered) messages.push(this.node !== undefined ? this.trie.build(this.node, this.values) : this.block);
    this.resetBlock();
  }

  private resetBlock(): void {
    this.blockOnly = this.filterOn && this.events !== undefined;
    this.trie = this.blockOnly && this.onlyTrie !== undefined ? this.onlyTrie : this.fullTrie;
    this.node = this.trie.root;
    this.values.length = 0;
    if (this.blockLines !== 0 || this.blockHeaders !== 0) {
      this.block = {};
      this.blockHeaders = 0;
      this.blockLength = 0;
      this.blockLines = 0;
      this.firstLine = '';
      this.firstValue = '';
      this.blockFirst = '';
      this.blockProblem = undefined;
      this.blockExtraProblems = 0;
      this.blockDropped = false;
      this.follows = false;
    }
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
