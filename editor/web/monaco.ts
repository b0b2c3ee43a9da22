/**
 * Monaco, bundled (no CDN): the editor API, its features, TypeScript highlighting and the TypeScript language
 * service in a worker. Scripts are type-checked as the sandbox sees them: ES2022, no DOM, strict, with the
 * contracts' .d.ts of the open hook as an extra lib (HookInput, HookResult, call_full, console).
 */
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/features/register.all.js';
import 'monaco-editor/languages/definitions/typescript/register.js';
import { ModuleKind, ScriptTarget, getTypeScriptWorker, typescriptDefaults } from 'monaco-editor/languages/features/typescript/register.js';

export { monaco };

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

/** Where the bundles are (the folder main.js was loaded from: /assets/<build key>). */
const assets = (document.currentScript as HTMLScriptElement | null)?.src.replace(/\/[^/]*$/, '') ?? '/assets';

export function setupMonaco(): void {
  window.MonacoEnvironment = {
    getWorker: (_id, label) => new Worker(`${assets}/${label === 'typescript' || label === 'javascript' ? 'ts.worker.js' : 'editor.worker.js'}`, { name: label }),
  };
  typescriptDefaults.setCompilerOptions({
    target: ScriptTarget.ES2020,
    module: ModuleKind.ESNext,
    lib: ['es2022'],
    strict: true,
    noEmit: true,
    allowNonTsExtensions: true,
  });
  typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
  typescriptDefaults.setEagerModelSync(true);
}

/**
 * The contracts' typings for one hook; replaced when another hook is opened (HookInput differs per hook), each
 * hook's under a file name of its own. Monaco makes a model of a typings file the first time a diagnostic or a
 * hover points into it, and that model stays, kept in sync with the TypeScript worker: the typings of a hook
 * opened before then stayed in the program, and the task hook's untouched template was checked (and completed)
 * against autodistribution's HookInput after switching (issue 17). So those models go with their typings. And
 * since Monaco sends the new typings to its worker and re-checks every model in a race, they are set once more
 * (the same text) when the worker has them: every model is then checked against them.
 */
export async function setTypings(hook: string, dts: string, model: monaco.editor.ITextModel): Promise<void> {
  const filePath = `file:///hookline/${hook}.d.ts`;
  for (const m of monaco.editor.getModels()) if (m.uri.toString().startsWith('file:///hookline/')) m.dispose();
  typescriptDefaults.setExtraLibs([{ content: dts, filePath }]);
  const worker = await (await getTypeScriptWorker())(model.uri);
  for (let i = 0; i < 200; i++) {
    if ((await worker.getScriptText(filePath)) === dts) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (typescriptDefaults.getExtraLibs()[filePath]?.content === dts) typescriptDefaults.setExtraLibs([{ content: dts, filePath }]);
}


export function modelFor(hook: string, source: string): monaco.editor.ITextModel {
  const uri = monaco.Uri.parse(`file:///hooks/${hook}.ts`);
  const existing = monaco.editor.getModel(uri);
  if (existing) {
    existing.setValue(source);
    return existing;
  }
  return monaco.editor.createModel(source, 'typescript', uri);
}

export const baseOptions: monaco.editor.IStandaloneEditorConstructionOptions = {
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 13,
  scrollBeyondLastLine: false,
  tabSize: 2,
};

/** A read-only diff editor (published output against the draft's, or one version against another). */
export function createDiff(el: HTMLElement): { show(before: string, after: string, language: string): void; dispose(): void } {
  const diff = monaco.editor.createDiffEditor(el, { ...baseOptions, readOnly: true, originalEditable: false, renderSideBySide: true, enableSplitViewResizing: false });
  let models: monaco.editor.ITextModel[] = [];
  return {
    show(before, after, language) {
      const next = [monaco.editor.createModel(before, language), monaco.editor.createModel(after, language)] as const;
      diff.setModel({ original: next[0], modified: next[1] });
      for (const m of models) m.dispose();
      models = [...next];
    },
    dispose() {
      diff.dispose();
      for (const m of models) m.dispose();
    },
  };
}

export const errorMarkers = (model: monaco.editor.ITextModel) =>
  monaco.editor.getModelMarkers({ resource: model.uri }).filter((m) => m.severity === monaco.MarkerSeverity.Error);
