/**
 * Error messages name positions in the script as `hooks/<hook>.ts:<line>:<column>` (compile errors, throws,
 * mapped through the source map): each becomes a link that puts the editor's cursor there (issue 17, item 5).
 */
import { h } from './dom.ts';

const POSITION = /hooks\/[\w-]+\.ts:(\d+):(\d+)/g;

export type JumpTo = (line: number, column: number) => void;

export function withPositions(text: string, jump: JumpTo): (Node | string)[] {
  const out: (Node | string)[] = [];
  let last = 0;
  for (const m of text.matchAll(POSITION)) {
    const line = Number(m[1]);
    const column = Number(m[2]);
    out.push(text.slice(last, m.index));
    out.push(h('a.position', { href: '#', 'data-testid': 'error-position', 'data-line': line, 'data-column': column, title: `Show line ${line}, column ${column} in the editor`, onclick: (ev: Event) => {
      ev.preventDefault();
      jump(line, column);
    } }, m[0]));
    last = (m.index ?? 0) + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}
