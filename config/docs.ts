/** docs/config.md and the shipped JSON Schema, derived from config/schema.ts. */
import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema, walkSchema } from './schema.ts';

export const GENERATED_HEADER = 'Generated from config/schema.ts by npm run gen:config — do not edit';

/** The JSON Schema text shipped as config/hookline.config.schema.json (for editors' completion). */
export function configJsonSchema(): string {
  return `${JSON.stringify({ $comment: GENERATED_HEADER, $schema: 'http://json-schema.org/draft-07/schema#', ...ConfigSchema }, null, 2)}\n`;
}

function typeOf(s: TSchema): string {
  const anyOf = (s as { anyOf?: TSchema[] }).anyOf;
  if (anyOf) {
    if (anyOf.every((x) => 'const' in x)) return anyOf.map((x) => JSON.stringify((x as unknown as { const: unknown }).const)).join(' \\| ');
    if (anyOf.some((x) => (x as { properties?: { env?: unknown } }).properties?.env)) return 'secret: string or `{"env": "VAR"}`';
    return anyOf.map(typeOf).join(' \\| ');
  }
  const t = (s as { type?: string }).type;
  if (t === 'array') return `array of ${typeOf((s as unknown as { items: TSchema }).items)}`;
  if (t === 'object' && (s as { patternProperties?: object }).patternProperties) return 'map';
  if ((s as { format?: string }).format === 'regex') return 'regex';
  return t ?? 'any';
}

export function configDoc(): string {
  const rows = ['| key | type | default | description |', '|---|---|---|---|'];
  const required = new Set<string>();
  for (const [path, s] of walkSchema(ConfigSchema)) {
    const def = (s as { default?: unknown }).default;
    const showDefault = def === undefined || (typeof def === 'object' && def !== null && !Array.isArray(def) && Object.keys(def).length === 0) ? '' : `\`${JSON.stringify(def)}\``;
    const desc = ((s as { description?: string }).description ?? '').replace(/\|/g, '\\|');
    rows.push(`| \`${path}\` | ${typeOf(s)} | ${showDefault} | ${desc} |`);
    // TypeBox marks every non-Optional key required, but a key with a default is filled in when left out.
    const props = (s as { properties?: Record<string, { default?: unknown }> }).properties ?? {};
    for (const r of ((s as { required?: string[] }).required ?? [])) if (props[r]?.default === undefined) required.add(`${path}.${r}`);
  }
  return [
    `<!-- ${GENERATED_HEADER} -->`,
    '# Configuration',
    '',
    'One JSON file: `./hookline.config.json`, or the file named by `--config <file>` or `$HOOKLINE_CONFIG`.',
    'Every key is optional. With neither `ami` nor `kommo`, hookline runs its built-in demo: a simulated PBX',
    'replays recorded calls into a Kommo emulator, all on this machine. Give both to connect a real Asterisk',
    'and a real Kommo account. Secrets (`ami.secret`, `kommo.token`, …) can be written as `{"env": "VARIABLE"}`',
    'to be read from the environment at start.',
    '',
    'A wrong file is refused with every problem listed at once (its JSON path, what was expected, what was',
    'found); `npx hookline config check` checks a file without starting anything. `config/hookline.config.schema.json`',
    'is the JSON Schema: point your editor at it (`"$schema": "./config/hookline.config.schema.json"`).',
    '',
    ...rows,
    '',
    `Keys that must be present when their section is given: ${[...required].filter((r) => !r.startsWith('$')).map((r) => `\`${r}\``).join(', ')}.`,
    '',
  ].join('\n');
}
