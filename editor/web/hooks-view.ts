/** The Hooks tab: the 13 hooks with their state on the left; the open hook (edit, replay, history) on the right. */
import { api, describe, text, type HookRow, type Version } from './api.ts';
import { showPublishDryRun } from './calls-view.ts';
import { createConfirm } from './confirm.ts';
import { clear, h } from './dom.ts';
import { createFailuresView } from './failures-view.ts';
import { createHistoryView } from './history-view.ts';
import { baseOptions, errorMarkers, modelFor, monaco, setTypings } from './monaco.ts';
import { createReplayView } from './replay-view.ts';
import { createShadowView } from './shadow-view.ts';
import { createTestsView } from './tests-view.ts';

declare global {
  interface Window {
    /** For tests and the console: the open hook's source and its TypeScript errors as Monaco has them. */
    hookline?: { hook(): string | null; source(): string; setSource(s: string): void; markers(): { line: number; message: string }[] };
  }
}

export function createHooksView(root: HTMLElement) {
  const list = h('ul#hook-list', { 'data-testid': 'hook-list', role: 'listbox' });
  const pane = h('section#hook-pane');
  root.append(list, pane);
  let rows: HookRow[] = [];
  let open: string | null = null;
  /** What the server holds for each hook opened so far: the editor's text differs from it = unsaved changes. */
  const savedByHook = new Map<string, string>();
  let saved = '';

  const title = h('h2#hook-title');
  const summary = h('span.muted#hook-summary');
  const state = h('span#draft-state', { 'data-testid': 'draft-state' });
  const save = h('button#save-draft', { 'data-testid': 'save-draft' }, 'Save draft');
  const message = h('input#publish-message', { type: 'text', placeholder: 'What changed (for the history)', size: 32 });
  const publish = h('button#publish.primary', { 'data-testid': 'publish' }, 'Publish');
  const anyway = h('input#publish-anyway', { type: 'checkbox', 'data-testid': 'publish-anyway' });
  const anywayLabel = h('label', { title: 'Publish although the script has type errors or failing test cases: say why in the message (the history keeps it)' }, anyway, ' publish anyway');
  const note = h('span#action-result', { 'data-testid': 'action-result', role: 'status' });
  const subtabs = { edit: h('button#subtab-edit', { 'data-testid': 'subtab-edit' }, 'Edit'), replay: h('button#subtab-replay', { 'data-testid': 'subtab-replay' }, 'Replay'), history: h('button#subtab-history', { 'data-testid': 'subtab-history' }, 'History'), failures: h('button#subtab-failures', { 'data-testid': 'subtab-failures' }, 'Failures'), tests: h('button#subtab-tests', { 'data-testid': 'subtab-tests' }, 'Tests'), shadow: h('button#subtab-shadow', { 'data-testid': 'subtab-shadow' }, 'Shadow') };
  const format = h('button#format-document', { 'data-testid': 'format-document', title: 'Format Document (Shift+Alt+F)' }, 'Format');
  const editorEl = h('div#editor', { 'data-testid': 'editor' });
  const problems = h('ul#problems', { 'data-testid': 'problems' });
  const panels = { edit: h('div.panel#panel-edit', {}, editorEl, problems), replay: h('div.panel#panel-replay'), history: h('div.panel#panel-history'), failures: h('div.panel#panel-failures'), tests: h('div.panel#panel-tests'), shadow: h('div.panel#panel-shadow') };
  pane.append(
    h('div.toolbar', {}, title, summary),
    h('div.toolbar', {}, h('nav.subtabs', {}, subtabs.edit, subtabs.replay, subtabs.history, subtabs.failures, subtabs.tests, subtabs.shadow), save, format, state, h('span.spacer'), message, anywayLabel, publish, note),
  );
  // Publish asks first: the diff of the live source (or the template, when nothing is live) against the draft.
  const confirmPublish = createConfirm(pane, 'publish-confirm');
  pane.append(panels.edit, panels.replay, panels.history, panels.failures, panels.tests, panels.shadow);
  pane.hidden = true;

  const editor = monaco.editor.create(editorEl, { ...baseOptions, model: null });
  /** An error's position (hooks/<hook>.ts:line:col) clicked: the editor, its cursor there. */
  const jumpTo = (lineNumber: number, column: number) => {
    showPanel('edit');
    editor.setPosition({ lineNumber, column });
    editor.revealLineInCenter(lineNumber);
    editor.focus();
  };
  const tests = createTestsView(panels.tests, () => editor.getValue(), () => open && void openHook(open, 'tests', true)); // an import's source is the draft now: shown, in place of any edit
  const shadow = createShadowView(panels.shadow, () => editor.getValue());
  const caseSaved = () => open && void tests.load(open);
  const replay = createReplayView(panels.replay, { draftSource: () => editor.getValue(), jumpTo, tests: (report, hook) => tests.show(report, hook), caseSaved });
  const failures = createFailuresView(panels.failures, { draftSource: () => editor.getValue(), jumpTo, caseSaved });
  const history = createHistoryView(panels.history, {
    rolledBack: async (v) => {
      // The editor takes the live source (the server made it the draft when the draft was the version rolled back from).
      if (open) await openHook(open);
      showPanel('history');
      note.textContent = v.toDefault ? 'Back to the built-in default: no script runs for this hook' : `Rolled back: v${v.version} is live`;
      await refreshList();
    },
  });

  const showPanel = (which: keyof typeof panels) => {
    for (const [k, p] of Object.entries(panels)) p.hidden = k !== which;
    for (const [k, b] of Object.entries(subtabs)) b.setAttribute('aria-selected', String(k === which));
    if (which === 'history' && open) void history.load(open);
    if (which === 'replay' && open) void replay.load(open);
    if (which === 'failures' && open) void failures.load(open);
    if (which === 'tests' && open) void tests.load(open);
    if (which === 'shadow' && open) shadow.show(open);
    else shadow.hide();
  };
  for (const k of Object.keys(subtabs) as (keyof typeof subtabs)[]) subtabs[k].addEventListener('click', () => showPanel(k));

  const updateState = () => {
    const model = editor.getModel();
    if (!model) return;
    const errs = errorMarkers(model);
    const dirty = model.getValue() !== saved;
    state.textContent = `${dirty ? 'unsaved changes' : 'saved'}${errs.length ? ` · ${errs.length} type error${errs.length > 1 ? 's' : ''}` : ''}`;
    state.className = errs.length ? 'error' : 'muted';
    clear(problems, errs.map((m) => h('li', { 'data-testid': 'problem' }, `line ${m.startLineNumber}: ${m.message}`)));
  };
  editor.onDidChangeModelContent(updateState);
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => save.click());
  // Monaco's Format Document (the TypeScript formatter, in its worker); also Shift+Alt+F in the editor.
  format.addEventListener('click', () => {
    showPanel('edit');
    void editor.getAction('editor.action.formatDocument')?.run();
  });
  const unsaved = (ev: BeforeUnloadEvent) => {
    const dirty = [...savedByHook].some(([hook, text]) => (monaco.editor.getModel(monaco.Uri.parse(`file:///hooks/${hook}.ts`))?.getValue() ?? text) !== text);
    if (dirty) ev.preventDefault();
  };
  window.addEventListener('beforeunload', unsaved);
  const offMarkers = monaco.editor.onDidChangeMarkers(updateState);

  let listSeq = 0;
  async function refreshList(): Promise<void> {
    const seq = ++listSeq;
    const r = await api<{ hooks: HookRow[] }>('GET', '/api/hooks');
    if (!r.ok || seq !== listSeq) return; // a later refresh is under way: its answer is the newer one
    rows = r.body.hooks;
    clear(list, rows.map((row) =>
      // Which hooks run a customization (a published script) and which their built-in default.
      h('li', { 'data-hook': row.hook, 'data-testid': `hook-${row.hook}`, 'data-custom': String(row.published !== null), role: 'option', 'aria-selected': String(row.hook === open), title: row.summary, onclick: () => void openHook(row.hook) },
        h('div.name', {}, `${row.number}. ${row.hook}`),
        h('div.badges', {},
          h(`span.badge.version.${row.published ? 'custom' : 'builtin'}`, { 'data-testid': 'published', title: row.published ? `Customized: your script v${row.published} runs` : 'Not customized: the built-in default runs' }, row.published ? `v${row.published} live` : 'default'),
          row.draftChanged ? h('span.badge.draft', { 'data-testid': 'draft-changed' }, 'draft changed') : null,
          // The badge opens the hook's failures (the row itself opens the editor).
          h('span.badge.failures', {
            'data-testid': 'failures',
            title: row.failures24h ? 'Show this hook\'s failures' : null,
            onclick: row.failures24h ? (ev: Event) => {
              ev.stopPropagation();
              void openHook(row.hook, 'failures');
            } : null,
          }, row.failures24h ? `${row.failures24h} failures (24 h)` : ''),
          row.quarantine
            ? h('span.badge.quarantined', {
              'data-testid': 'quarantined',
              title: `v${row.quarantine.version} ${row.quarantine.reason} ${row.quarantine.failures}× in a row: it does not run, the failure policy is used. Publish a fix or roll back to lift it.`,
            }, `quarantined until ${new Date(row.quarantine.until).toLocaleTimeString()}`)
            : null,
        ))));
  }

  async function openHook(hook: string, panel: keyof typeof panels = 'edit', fresh = false): Promise<void> {
    if (open !== hook) confirmPublish.cancel();
    open = hook;
    note.textContent = '';
    for (const li of list.querySelectorAll('li')) li.setAttribute('aria-selected', String(li.getAttribute('data-hook') === hook));
    const [draft, dts] = await Promise.all([api<{ source: string; fromTemplate?: boolean }>('GET', `/api/hooks/${hook}/draft`), text(`/api/hooks/${hook}/typings`)]);
    if (!draft.ok) {
      note.textContent = describe(draft.error);
      return;
    }
    if (open !== hook) return;
    const row = rows.find((r) => r.hook === hook);
    title.textContent = hook;
    summary.textContent = row?.summary ?? '';
    // The template a never-edited hook opens with is what the server holds for it: not an unsaved change.
    const serverText = draft.body.source;
    const existing = monaco.editor.getModel(monaco.Uri.parse(`file:///hooks/${hook}.ts`));
    // Unsaved edits of a hook opened before are kept when coming back to it.
    const keep = !fresh && existing && savedByHook.has(hook) && existing.getValue() !== savedByHook.get(hook);
    saved = serverText;
    savedByHook.set(hook, serverText);
    const model = keep && existing ? existing : modelFor(hook, draft.body.source);
    editor.setModel(model);
    void setTypings(hook, dts ?? '', model);
    pane.hidden = false;
    showPanel(panel);
    updateState();
    if (panel === 'edit') editor.focus();
  }

  save.addEventListener('click', async () => {
    if (!open) return;
    const source = editor.getValue();
    const r = await api<{ compile: { code: string; message: string } | null }>('PUT', `/api/hooks/${open}/draft`, { source });
    if (!r.ok) {
      note.textContent = describe(r.error);
      return;
    }
    saved = source;
    savedByHook.set(open, source);
    updateState();
    await refreshList();
    note.textContent = r.body.compile ? `Saved, but it does not compile: ${r.body.compile.message}` : 'Draft saved';
  });

  publish.addEventListener('click', async () => {
    if (!open) return;
    if (editor.getValue() !== saved) {
      note.textContent = 'Save the draft first: publish takes the saved draft';
      return;
    }
    const msg = message.value.trim();
    if (!msg) {
      note.textContent = 'Say what changed: the message goes into the history';
      message.focus();
      return;
    }
    // A script the type check refuses would fail on the calls it runs for: not published unless the operator says why.
    const model = editor.getModel();
    const errs = model ? errorMarkers(model) : [];
    const typeErrors = `${errs.length} type error${errs.length > 1 ? 's' : ''}`;
    if (errs.length && !anyway.checked) {
      const list = errs.slice(0, 5).map((m) => `line ${m.startLineNumber}: ${m.message}`).join('; ');
      note.textContent = `Not published: ${typeErrors} (${list}). Fix them, or tick "publish anyway" and say why in the message.`;
      return;
    }
    const hook = open;
    const vs = await api<{ published: number | null; versions: Version[]; template: string }>('GET', `/api/hooks/${hook}/versions`);
    if (!vs.ok) {
      note.textContent = `Not published: ${describe(vs.error)}`;
      return;
    }
    const live = vs.body.versions.find((v) => v.version === vs.body.published);
    const next = (vs.body.versions.at(-1)?.version ?? 0) + 1;
    note.textContent = '';
    const shown = saved;
    showPublishDryRun(pane.querySelector('[data-testid=publish-confirm]'));
    const yes = await confirmPublish.ask({
      title: `Publish v${next} of ${hook}?`,
      before: live?.source ?? vs.body.template,
      after: shown,
      beforeLabel: live ? `v${live.version}` : 'nothing published, the built-in default runs (the template is shown)',
      afterLabel: `the draft, as v${next}`,
      confirmLabel: `Publish v${next}`,
      confirmId: 'confirm-publish',
      cancelId: 'cancel-publish',
    });
    if (open !== hook) return; // another hook was opened: nothing published
    if (!yes || saved !== shown) {
      note.textContent = yes ? 'Not published: the draft changed since the diff was shown' : 'Not published: cancelled';
      return;
    }
    const r = await api<{ version: Version }>('POST', `/api/hooks/${hook}/publish`, { message: msg, ...(anyway.checked ? { anyway: true } : {}) });
    if (!r.ok) {
      note.textContent = `Not published: ${describe(r.error)}`;
      return;
    }
    message.value = '';
    anyway.checked = false;
    await refreshList();
    note.textContent = `Published v${r.body.version.version}: live for the next call`;
  });

  window.hookline = {
    // The hook whose text is in the editor: null while an opened hook's draft is still loading.
    hook: () => (open !== null && editor.getModel()?.uri.path === `/hooks/${open}.ts` ? open : null),
    source: () => editor.getValue(),
    setSource: (s) => editor.getModel()?.setValue(s),
    markers: () => {
      const m = editor.getModel();
      return m ? errorMarkers(m).map((x) => ({ line: x.startLineNumber, message: x.message })) : [];
    },
  };

  void refreshList();
  return {
    /** Opens a hook (the Status tab's links), once the list is there. */
    async open(hook: string): Promise<void> {
      if (!rows.length) await refreshList();
      await openHook(hook);
    },
    dispose() {
      window.removeEventListener('beforeunload', unsaved);
      offMarkers.dispose();
      replay.dispose();
      shadow.hide();
      history.dispose();
      confirmPublish.dispose();
      editor.dispose();
    },
  };
}
