/**
 * Compiling an operator's TypeScript with esbuild into one self-contained script for the isolate.
 * Scripts are self-contained: any import is a COMPILE_ERROR naming it. The output is an IIFE that leaves the
 * module's exports on `__hookline_module`, with a source map so that runtime positions map back to the TS.
 */
import { createHash } from 'node:crypto';
import { build, type Message, type Plugin } from 'esbuild';
import { makeError, type HooklineError } from '../contracts/index.ts';

export interface CompiledScript {
  /** The JavaScript the isolate runs. */
  code: string;
  /** The source map (JSON text) from `code` back to the TypeScript. */
  map: string;
  /** sha256 of the TypeScript source: equal sources share warm isolates. */
  hash: string;
  /** The name positions are reported under, e.g. `hooks/process_client_phone.ts`. */
  filename: string;
}

export type CompileResult = { ok: true; compiled: CompiledScript } | { ok: false; error: HooklineError };

export interface CompileOptions {
  hook?: string;
  version?: number | string;
  /** The name errors and positions use; default `hooks/<hook>.ts`. */
  filename?: string;
}

const noImports: Plugin = {
  name: 'hookline-no-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      return {
        errors: [
          {
            text: `import of "${args.path}" is not allowed: a script is self-contained (no Node modules, packages or other files); everything it needs arrives in its input`,
          },
        ],
      };
    });
  },
};

export async function compile(source: string, opts: CompileOptions = {}): Promise<CompileResult> {
  const filename = opts.filename ?? `hooks/${opts.hook ?? 'script'}.ts`;
  const where = { hook: opts.hook, version: opts.version };
  const common = {
    stdin: { contents: source, loader: 'ts' as const, sourcefile: filename, resolveDir: '/' },
    bundle: true,
    write: false,
    target: 'es2022',
    platform: 'neutral' as const,
    logLevel: 'silent' as const,
    absWorkingDir: '/',
    plugins: [noImports],
  };
  let script;
  let module;
  try {
    // Two builds side by side: the IIFE the isolate runs, and an ESM build whose metafile lists the exports.
    [script, module] = await Promise.all([
      build({ ...common, format: 'iife', globalName: '__hookline_module', sourcemap: 'external', outfile: 'script.js' }),
      build({ ...common, format: 'esm', metafile: true, outfile: 'module.js' }),
    ]);
  } catch (e) {
    return { ok: false, error: esbuildError(e, filename, where) };
  }
  const js = (script.outputFiles ?? []).find((f) => f.path.endsWith('.js'));
  const map = (script.outputFiles ?? []).find((f) => f.path.endsWith('.map'));
  if (!js || !map) return { ok: false, error: makeError('COMPILE_ERROR', { ...where, detail: 'esbuild produced no output' }) };
  const exported = Object.values(module.metafile.outputs).flatMap((o) => o.exports);
  if (!exported.includes('default')) {
    return {
      ok: false,
      error: makeError('COMPILE_ERROR', {
        ...where,
        file: filename,
        detail: 'the script has no default export: write `export default function (input: HookInput): HookResult { … }`',
      }),
    };
  }
  return {
    ok: true,
    compiled: {
      code: js.text.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'),
      map: map.text,
      hash: createHash('sha256').update(source).digest('hex'),
      filename,
    },
  };
}

function esbuildError(e: unknown, filename: string, where: { hook?: string; version?: number | string }): HooklineError {
  const errors = (e as { errors?: Message[] }).errors;
  const first = errors?.[0];
  if (!first) return makeError('COMPILE_ERROR', { ...where, detail: (e as Error).message });
  return makeError('COMPILE_ERROR', {
    ...where,
    file: first.location?.file || filename,
    line: first.location?.line,
    column: first.location ? first.location.column + 1 : undefined,
    detail: first.text + (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''),
  });
}
