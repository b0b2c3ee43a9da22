/**
 * Monaco, bundled (no CDN): the editor API, its features, TypeScript highlighting and the TypeScript language
 * service in a worker. Scripts are type-checked as the sandbox sees them: ES2022, no DOM, strict, with the
 * contracts' .d.ts of the open hook as an extra lib (HookInput, HookResult, call_full, console).
 */
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/features/register.all.js';
import 'monaco-editor/languages/definitions/typescript/register.js';
import { ModuleKind, ScriptTarget, typescriptDefaults } from 'monaco-editor/languages/features/typescript/register.js';

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

/** The contracts' typings for one hook; replaced when another hook is opened (HookInput differs per hook). */
export function setTypings(dts: string): void {
  typescriptDefaults.setExtraLibs([{ content: dts, filePath: 'file:///hookline/hooks.d.ts' }]);
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
