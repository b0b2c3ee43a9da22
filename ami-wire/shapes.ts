/**
 * Building message objects fast. Asterisk sends the same header names in the same order for each kind of
 * event, so the parser walks a trie of header names, one step per line, matching `Name:` in place (no
 * substring made for the name), and at the end of a block builds the object in one go with a function made
 * for that sequence of names (an object literal: one allocation, final shape, no per-property transitions).
 * Names are embedded with JSON.stringify, so a name from the wire is only ever a quoted string literal;
 * `__proto__` never reaches here (the parser refuses it). The trie is bounded: past `maxNodes` the parser
 * builds objects property by property.
 *
 * A trie may keep only some headers (the parser's `only.headers`): a node then knows whether its value is
 * kept, and the builder holds only the kept names. The first header of a block is always kept, and so is
 * every header of a block that does not begin with `Event` (responses stay whole).
 */
import type { AmiMessage } from './message.ts';

/** A node with more different next names than this is not a repeating shape: build such blocks property by property. */
const MAX_CHILDREN = 64;

export interface ShapeNode {
  /** The header name of the step that led here. */
  readonly key: string;
  /** `key + ':'`, matched in place at the start of a line. */
  readonly prefix: string;
  /** The first header name of the block ('' at the root). */
  readonly first: string;
  /** The value of this header is kept in the message. */
  readonly keep: boolean;
  /** Kept header names from the start of the block to here, in wire order (repeats included). */
  readonly kept: readonly string[];
  /** The names seen after this one, most often a single one: compared in place, no substring made. */
  children: ShapeNode[];
  make: ((values: readonly string[]) => AmiMessage) | undefined;
  /** Blocks that ended at this node; the builder is made on the second, so one-off shapes cost no compile. */
  ends: number;
  /** Whether a block ending here carries a required key (cached by the parser). */
  required: boolean | undefined;
}

export class ShapeTrie {
  readonly root: ShapeNode = { key: '', prefix: '', first: '', keep: true, kept: [], children: [], make: undefined, ends: 0, required: undefined };
  private nodes = 0;
  private readonly maxNodes: number;
  /** Headers kept in `Event` blocks; undefined keeps every header. */
  private readonly headers: ReadonlySet<string> | undefined;

  constructor(maxNodes = 20_000, headers?: ReadonlySet<string>) {
    this.maxNodes = maxNodes;
    this.headers = headers;
  }

  /** Is a header named `key` kept, in a block whose first header is `first` ('' when `key` is the first)? */
  keeps(first: string, key: string): boolean {
    return this.headers === undefined || first === '' || first !== 'Event' || this.headers.has(key);
  }

  /** The child of `node` whose `Name:` starts `text` at `start`, or undefined. */
  match(node: ShapeNode, text: string, start: number): ShapeNode | undefined {
    const children = node.children;
    for (let c = 0; c < children.length; c++) {
      const child = children[c]!;
      if (text.startsWith(child.prefix, start)) return child;
    }
    return undefined;
  }

  /** The child of `node` whose name is exactly `key`, or undefined. */
  find(node: ShapeNode, key: string): ShapeNode | undefined {
    const children = node.children;
    for (let c = 0; c < children.length; c++) if (children[c]!.key === key) return children[c];
    return undefined;
  }

  /** A new child of `node` for `key`, or undefined when the trie is full (or the node has too many children). */
  add(node: ShapeNode, key: string): ShapeNode | undefined {
    if (this.nodes >= this.maxNodes || node.children.length >= MAX_CHILDREN) return undefined;
    this.nodes++;
    const first = node === this.root ? key : node.first;
    const keep = this.keeps(node === this.root ? '' : node.first, key);
    const child: ShapeNode = {
      key, prefix: `${key}:`, first, keep, kept: keep ? [...node.kept, key] : node.kept, children: [], make: undefined, ends: 0, required: undefined,
    };
    node.children.push(child);
    return child;
  }

  /** The message for a block that ended at `node` with these values (one per kept key, in order). */
  build(node: ShapeNode, values: readonly string[]): AmiMessage {
    if (node.make !== undefined) return node.make(values);
    if (++node.ends >= 2) {
      node.make = compile(node.kept);
      return node.make(values);
    }
    return buildSlowly(node.kept, values);
  }
}

/** Property by property, repeated names gathered into arrays in wire order. */
export function buildSlowly(keys: readonly string[], values: readonly string[]): AmiMessage {
  const out: AmiMessage = {};
  for (let i = 0; i < keys.length; i++) addHeader(out, keys[i]!, values[i]!);
  return out;
}

export function addHeader(out: AmiMessage, key: string, value: string): void {
  const prev = out[key];
  if (typeof prev === 'string') out[key] = [prev, value];
  else if (Array.isArray(prev)) prev.push(value);
  else out[key] = value;
}

function compile(keys: readonly string[]): (values: readonly string[]) => AmiMessage {
  const slots = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const list = slots.get(k);
    if (list) list.push(i);
    else slots.set(k, [i]);
  });
  const props: string[] = [];
  for (const [k, idx] of slots) {
    const expr = idx.length === 1 ? `v[${idx[0]}]` : `[${idx.map((i) => `v[${i}]`).join(', ')}]`;
    props.push(`${JSON.stringify(k)}: ${expr}`);
  }
  // eslint-disable-next-line no-new-func -- names are quoted literals (see the module comment)
  return new Function('v', `return { ${props.join(', ')} };`) as (values: readonly string[]) => AmiMessage;
}
