/** History: the versions of a hook, a diff between any two (Monaco's diff editor), and rollback to one. */
import { api, describe, type Version } from './api.ts';
import { createConfirm } from './confirm.ts';
import { clear, h } from './dom.ts';
import { createDiff } from './monaco.ts';

export function createHistoryView(root: HTMLElement, o: { rolledBack(v: Version): void | Promise<void> }) {
  let hook: string | null = null;
  let versions: Version[] = [];
  let live: number | null = null;
  let template = '';
  const tbody = h('tbody#versions', { 'data-testid': 'versions' });
  const from = h('select#diff-from');
  const to = h('select#diff-to');
  const note = h('span#history-result', { role: 'status' });
  const toDefault = h('button#rollback-default', { 'data-testid': 'rollback-default', hidden: true, title: 'No script runs for this hook any more: its built-in default does (the history keeps every version)' }, 'Back to the built-in default');
  const diffEl = h('div#history-diff.diff', { 'data-testid': 'history-diff' });
  root.append(
    h('div.toolbar', {}, 'Compare', from, '→', to, note, h('span.spacer'), toDefault),
    h('div.split', {}, h('div', {}, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'v'), h('th', {}, 'when'), h('th', {}, 'who'), h('th', {}, 'message'), h('th', {}, ''))), tbody)), h('div.detail', {}, diffEl)),
  );
  const diff = createDiff(diffEl);
  // A rollback asks first: the diff of the live source against the version to go back to.
  const confirm = createConfirm(root, 'rollback-confirm');
  root.insertBefore(root.lastElementChild as Element, root.children[1] ?? null);

  const show = () => {
    const a = versions.find((v) => String(v.version) === from.value);
    const b = versions.find((v) => String(v.version) === to.value);
    diff.show(a?.source ?? '', b?.source ?? '', 'typescript');
  };
  from.addEventListener('change', show);
  to.addEventListener('change', show);

  async function rollback(v: Version | 'default'): Promise<void> {
    if (!hook) return;
    const h0 = hook;
    const current = versions.find((x) => x.version === live);
    const target = v === 'default' ? 'the built-in default (no script runs)' : `v${v.version}`;
    note.textContent = '';
    const yes = await confirm.ask({
      title: `Roll ${h0} back to ${target}?`,
      before: current?.source ?? template,
      after: v === 'default' ? '' : v.source,
      beforeLabel: current ? `v${current.version}` : 'nothing published, the built-in default runs (the template is shown)',
      afterLabel: target,
      confirmLabel: v === 'default' ? 'Back to the built-in default' : `Roll back to v${v.version}`,
      confirmId: 'confirm-rollback',
      cancelId: 'cancel-rollback',
    });
    if (hook !== h0) return;
    if (!yes) {
      note.textContent = 'Not rolled back: cancelled';
      return;
    }
    const r = await api<{ version: Version }>('POST', `/api/hooks/${hook}/rollback`, v === 'default' ? { toDefault: true } : { toVersion: v.version });
    if (!r.ok) {
      note.textContent = describe(r.error);
      return;
    }
    await o.rolledBack(r.body.version);
    await load(hook);
  }
  toDefault.addEventListener('click', () => void rollback('default'));

  async function load(h0: string): Promise<void> {
    if (hook !== h0) confirm.cancel();
    hook = h0;
    const r = await api<{ published: number | null; versions: Version[]; template: string }>('GET', `/api/hooks/${h0}/versions`);
    if (!r.ok) {
      note.textContent = describe(r.error);
      return;
    }
    versions = r.body.versions;
    live = r.body.published;
    template = r.body.template;
    // The last entry that returned to the default, while nothing is published since: "the default (live)".
    const defaultLive = live === null ? versions.at(-1)?.toDefault === true : false;
    toDefault.hidden = live === null;
    clear(tbody, [...versions].reverse().map((v, i) =>
      h('tr', { 'data-version': v.version, 'data-testid': 'version', 'data-default': v.toDefault ? 'true' : null },
        h('td', {}, v.toDefault ? `v${v.version} · default${defaultLive && i === 0 ? ' (live)' : ''}` : `v${v.version}${v.version === live ? ' (live)' : ''}`),
        h('td', {}, new Date(v.time).toLocaleString()),
        h('td', {}, v.author),
        h('td', {}, v.message),
        h('td', {}, v.version === live || v.toDefault ? '' : h(`button#rollback-${v.version}`, { 'data-testid': 'rollback', onclick: () => void rollback(v) }, `Roll back to v${v.version}`)))));
    const options = () => versions.map((v) => h('option', { value: v.version }, v.toDefault ? `v${v.version} (default)` : `v${v.version}`));
    clear(from, options());
    clear(to, options());
    if (versions.length === 0) {
      note.textContent = 'Nothing published yet: the default runs.';
      diff.show('', '', 'typescript');
      return;
    }
    note.textContent = '';
    to.value = String(versions.at(-1)?.version);
    from.value = String(versions.at(-2)?.version ?? versions.at(-1)?.version);
    show();
  }

  return {
    load,
    dispose: () => {
      diff.dispose();
      confirm.dispose();
    },
  };
}
