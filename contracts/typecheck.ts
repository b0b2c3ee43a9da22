/**
 * `hookline check`: type-checks a script against its hook's contract with the TypeScript compiler, in memory.
 * The script is checked in strict mode against editorTypings(hook), and its default export against
 * `(input: HookInput) => HookResult | Promise<HookResult>`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TS from 'typescript';
import type { HookName } from './contract.ts';
import { editorTypings } from './typings.ts';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

const SCRIPT = '/hookline/script.ts';
const TYPINGS = '/hookline/hook.d.ts';
const PROBE = '/hookline/__check_default_export.ts';
const PROBE_SOURCE = `import hook from './script.ts';
const __check: (input: HookInput) => HookResult | Promise<HookResult> = hook;
export { __check };
`;

const require = createRequire(import.meta.url);
let tsLib: typeof TS | undefined;
/** TypeScript (~54 MB, ~0.3 s) is loaded by the first check, not by every process that imports contracts. */
function ts(): typeof TS {
  return (tsLib ??= require('typescript') as typeof TS);
}

let compilerOptions: TS.CompilerOptions | undefined;
function options(): TS.CompilerOptions {
  return (compilerOptions ??= {
    strict: true,
    noEmit: true,
    target: ts().ScriptTarget.ES2022,
    module: ts().ModuleKind.ESNext,
    moduleResolution: ts().ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
  });
}

const libDir = () => dirname(require.resolve('typescript'));
const libCache = new Map<string, TS.SourceFile>();

function libFile(name: string): TS.SourceFile | undefined {
  let sf = libCache.get(name);
  if (!sf) {
    let text: string;
    try {
      text = readFileSync(join(libDir(), name), 'utf8');
    } catch {
      return undefined;
    }
    sf = ts().createSourceFile(name, text, ts().ScriptTarget.ES2022, true);
    libCache.set(name, sf);
  }
  return sf;
}

// Per hook: its typings parsed once, and the last program (handed back to the compiler as oldProgram, so
// unchanged files are reused rather than bound again). Only the script is parsed on every call.
const perHook = new Map<HookName, { typings: TS.SourceFile; probe: TS.SourceFile; last?: TS.Program }>();

function hookFiles(hook: HookName) {
  let h = perHook.get(hook);
  if (!h) {
    h = {
      typings: ts().createSourceFile(TYPINGS, editorTypings(hook), ts().ScriptTarget.ES2022, true),
      probe: ts().createSourceFile(PROBE, PROBE_SOURCE, ts().ScriptTarget.ES2022, true),
    };
    perHook.set(hook, h);
  }
  return h;
}

/** Type-check `source` as a script of `hook`. `fileName` is what diagnostics name. */
export function typeCheck(source: string, hook: HookName, fileName = 'script.ts'): Diagnostic[] {
  const cached = hookFiles(hook);
  const files = new Map<string, string>([
    [SCRIPT, source],
    [TYPINGS, cached.typings.text],
    [PROBE, PROBE_SOURCE],
  ]);
  const host: TS.CompilerHost = {
    getSourceFile: (name, target) => {
      if (name === TYPINGS) return cached.typings;
      if (name === PROBE) return cached.probe;
      const text = files.get(name);
      if (text !== undefined) return ts().createSourceFile(name, text, target, true);
      return libFile(name.split('/').pop() as string);
    },
    getDefaultLibFileName: () => '/lib/lib.es2022.d.ts',
    getDefaultLibLocation: () => '/lib',
    writeFile: () => {},
    getCurrentDirectory: () => '/hookline',
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => files.has(f) || (f.startsWith('/lib/') && libFile(f.split('/').pop() as string) !== undefined),
    readFile: (f) => files.get(f),
  };
  const program = ts().createProgram([TYPINGS, SCRIPT, PROBE], options(), host, cached.last);
  cached.last = program;
  // Only the script and the probe are asked about: the typings and lib files are ours and known clean.
  const mine = [program.getSourceFile(SCRIPT), program.getSourceFile(PROBE)];
  const diags = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...mine.flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]),
  ];
  const out: Diagnostic[] = [];
  for (const d of diags) {
    const text = ts().flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file?.fileName === PROBE) {
      out.push({ file: fileName, line: 1, column: 1, code: `TS${d.code}`, message: explainProbe(text) });
    } else if (d.file?.fileName === SCRIPT && d.start !== undefined) {
      const pos = d.file.getLineAndCharacterOfPosition(d.start);
      out.push({ file: fileName, line: pos.line + 1, column: pos.character + 1, code: `TS${d.code}`, message: text });
    } else if (!d.file || d.file.fileName !== TYPINGS) {
      out.push({ file: fileName, line: 1, column: 1, code: `TS${d.code}`, message: text });
    }
  }
  return dedupe(out);
}

function explainProbe(text: string): string {
  if (/has no default export/.test(text)) return 'the script has no default export: write `export default function (input: HookInput): HookResult { … }`';
  return `the default export does not fit this hook: it must be (input: HookInput) => HookResult | Promise<HookResult>. ${text}`;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
