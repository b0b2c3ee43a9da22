/** docs/hooks.md and docs/errors.md, derived from the contracts and the error catalogue. */
import type { TSchema } from '@sinclair/typebox';
import { CAPABILITY_TEMPLATES } from './templates.ts';
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
  out.push('', ...capabilitiesDoc());
  return `${out.join('\n')}\n`;
}

/** Scripts that act (issue 19): the three calls, their grants, and the templates. */
function capabilitiesDoc(): string[] {
  const out = [
    '## Scripts that act: `fetch`, `kommo.request`, `store`',
    '',
    'A script can call other systems, but only as far as the configuration grants it for its hook, under',
    '`hooks.<hook>` (docs/config.md); nothing is ambient. Each call is carried out by hookline, not by the script,',
    "within the hook's own timeout, and each request appears in the invocation's logs (method, URL without query",
    'values, status, bytes, ms). A refusal rejects with an `Error` whose `code` is one of the capability codes of',
    'docs/errors.md; uncaught, the invocation fails with `SCRIPT_ERROR`.',
    '',
    '| call | granted by | what hookline does |',
    '|---|---|---|',
    '| `fetch(url, init)` → `{ok, status, statusText, url, redirected, headers.get(), text(), json()}` | `hooks.<hook>.fetch: {allow: [URL patterns], timeoutMs, maxRequestBytes, maxResponseBytes, maxRequests}` | normalises the URL and matches it (https only unless a pattern says http; `user:pass@` refused); checks every address the name resolves to (loopback, private, link-local, metadata refused unless a pattern names the address) and connects to a checked one; follows redirects only within the grant; caps the body and the answer; the answer is text, never a stream |',
    "| `kommo.request(method, path, body?)` → `{status, body}` | reads by default; writes by `hooks.<hook>.kommo.write: [\"POST /api/v4/leads/*/notes\"]` | sends it through its own Kommo client: its token (never visible to the script), rate limit and retries; the path must stay under `/api/v4/` |",
    '| `store.get(key)`, `store.set(key, value, {ttlSeconds})` | `hooks.<hook>.store: {maxKeys, maxValueBytes}` (`{}` for the defaults) | keeps a small JSON key-value store of the hook in `<dataDir>/hook-store/<hook>.json`, each write atomic |',
    '',
    '**Replay never acts.** Each capability call is recorded with its answer in the invocation\'s capture. A replay (the',
    "editor's, `hookline replay`; also dry runs and shadow runs) serves those answers, matched by method, URL and body;",
    'a read with no recorded answer fails with `NOT_IN_CAPTURE`. Writes (a fetch that is not GET/HEAD, a Kommo write,',
    '`store.set`) are listed as "would send" in the replay\'s results and never performed (one the capture has no',
    'answer for gets status 202 with `dryRun: true`).',
    '',
    '### Templates',
  ];
  for (const t of CAPABILITY_TEMPLATES) {
    out.push('', `#### ${t.name} (\`${t.hook}\`)`, '', t.summary, '', `Config: \`"hooks": { "${t.hook}": ${JSON.stringify(t.grant)} }\``, '', '```ts', t.source.trimEnd(), '```');
  }
  return out;
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
