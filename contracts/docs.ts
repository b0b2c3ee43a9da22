/** docs/hooks.md and docs/errors.md, derived from the contracts and the error catalogue. */
import type { TSchema } from '@sinclair/typebox';
import { RESULT_TO_KOMMO } from './call-full.ts';
import { HOOK_NAMES, type HookContract } from './contract.ts';
import { errorCatalogue, errorCodes } from './errors.ts';
import { hooks } from './hooks/index.ts';
import { GENERATED_HEADER } from './typings.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const kib = (n: number) => (n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`);

function fields(schema: TSchema | null, skip: string[] = ['call_full']): string {
  const props = (schema as { properties?: Record<string, TSchema> } | null)?.properties;
  if (!props) return '—';
  const keys = Object.keys(props).filter((k) => !skip.includes(k));
  return keys.length ? keys.map((k) => `\`${k}\``).join(', ') : '—';
}

function fieldTable(schema: TSchema, readOnly: readonly string[]): string[] {
  const s = schema as { properties?: Record<string, TSchema & { description?: string }>; required?: string[] };
  const rows = ['| field | required | description |', '|---|---|---|'];
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const req = (s.required ?? []).includes(k) ? 'yes' : 'no';
    const ro = readOnly.includes(k) ? ' (read-only)' : '';
    rows.push(`| \`${k}\`${ro} | ${req} | ${cell(p.description ?? '')} |`);
  }
  return rows;
}

export function hooksDoc(): string {
  const out = [
    `<!-- ${GENERATED_HEADER} -->`,
    '# The 13 hook points',
    '',
    'A customization is a TypeScript script whose default export takes the hook\'s input and returns',
    '`{ data, state: "success" }` (or a promise of it). Any other state, a throw, a timeout, a memory-limit kill,',
    'an output that is not plain JSON or a `data` that breaks the contract below is a failure: the engine goes on',
    'with the default, records the failure and counts it. A failing script never stops a call from being registered.',
    '`call_full` (the whole call, read-only) is typed in the editor; `npx hookline contracts --dts` prints its types with a line on each field.',
    '',
    '| # | hook | when | input (beyond `call_full`) | `data` it returns | extra keys | default on failure | limits |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const h of HOOK_NAMES) {
    const c = hooks[h] as HookContract;
    const l = c.limits;
    out.push(
      `| ${c.number} | \`${h}\` | ${cell(c.when)} | ${fields(c.input)} | ${c.output ? fields(c.output as TSchema, []) : 'nothing; only `state` counts'} | ${c.extraKeys ? 'pass through' : 'refused'} | ${cell(c.defaultDescription)} | ${l.timeoutMs} ms, ${l.memoryMb} MB, ${kib(l.maxOutputBytes)} |`,
    );
  }
  out.push('', '## `result` and what it becomes in Kommo', '', '| call_full.result | call_status | call_result |', '|---|---|---|');
  for (const [r, k] of Object.entries(RESULT_TO_KOMMO)) out.push(`| ${r} | ${k.call_status} | ${k.call_result} |`);
  for (const h of HOOK_NAMES) {
    const c = hooks[h] as HookContract;
    out.push('', `## ${c.number}. \`${h}\``, '', c.summary, '', `**When:** ${c.when}`, '', c.docs, '', '### Input', '', ...fieldTable(c.input, c.readOnly));
    if (c.output) out.push('', '### `data`', '', ...fieldTable(c.output as TSchema, c.readOnly));
    if (c.readOnly.length) out.push('', `Read-only keys (dropped from the output silently): ${c.readOnly.map((k) => `\`${k}\``).join(', ')}.`);
    out.push('', '### Template', '', '```ts', c.template.trimEnd(), '```');
  }
  return `${out.join('\n')}\n`;
}

export function errorsDoc(): string {
  const rows = [
    `<!-- ${GENERATED_HEADER} -->`,
    '# Error codes',
    '',
    'Every error hookline reports carries one of these codes, a message saying what went wrong and where',
    '(hook, script version, call linkedid), and a hint saying what to do. The codes never change meaning.',
    '',
    '| Code | What happened | What to do | A script failure |',
    '|---|---|---|---|',
  ];
  for (const code of errorCodes) {
    const e = errorCatalogue[code];
    rows.push(`| \`${code}\` | ${cell(e.what)} | ${cell(e.hint({ hook: '<hook>' }))} | ${e.scriptFailure ? 'yes' : 'no'} |`);
  }
  return `${rows.join('\n')}\n`;
}
