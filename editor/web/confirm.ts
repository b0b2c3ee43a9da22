/**
 * A confirmation panel for the actions that change what runs on calls (publish, rollback, back to default): the
 * diff of the live source against what is about to go live (Monaco's diff editor), and a confirm and a cancel button.
 * Only the confirm button lets the action go on.
 */
import { h } from './dom.ts';
import { createDiff } from './monaco.ts';

export interface ConfirmAsk {
  /** What the panel asks, e.g. "Publish v3 of process_client_phone?" */
  title: string;
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
  confirmLabel: string;
  /** data-testids of the two buttons (e.g. confirm-publish, cancel-publish). */
  confirmId: string;
  cancelId: string;
}

export function createConfirm(root: HTMLElement, testid: string) {
  const title = h('strong.confirm-title', { 'data-testid': `${testid}-title` });
  const labels = h('div.confirm-labels', {}, h('span.muted', {}), h('span.muted', {}));
  const diffEl = h('div.diff.confirm-diff', { 'data-testid': 'confirm-diff' });
  const ok = h('button.primary', {}, '');
  const cancel = h('button', {}, 'Cancel');
  const panel = h('div.confirm', { 'data-testid': testid, role: 'dialog', hidden: true }, h('div.toolbar', {}, title, h('span.spacer'), ok, cancel), labels, diffEl);
  root.append(panel);
  const diff = createDiff(diffEl);
  let settle: ((yes: boolean) => void) | null = null;
  const done = (yes: boolean) => {
    panel.hidden = true;
    const s = settle;
    settle = null;
    s?.(yes);
  };
  ok.addEventListener('click', () => done(true));
  cancel.addEventListener('click', () => done(false));

  return {
    /** Shows the diff and resolves true on confirm, false on cancel (or when asked again before answering). */
    ask(a: ConfirmAsk): Promise<boolean> {
      if (settle) done(false);
      title.textContent = a.title;
      const [l, r] = labels.children;
      if (l) l.textContent = `Live: ${a.beforeLabel}`;
      if (r) r.textContent = `After: ${a.afterLabel}`;
      ok.textContent = a.confirmLabel;
      ok.id = a.confirmId;
      ok.setAttribute('data-testid', a.confirmId);
      cancel.id = a.cancelId;
      cancel.setAttribute('data-testid', a.cancelId);
      panel.hidden = false;
      diff.show(a.before, a.after, 'typescript');
      panel.scrollIntoView({ block: 'nearest' });
      return new Promise<boolean>((res) => {
        settle = res;
      });
    },
    /** Closes the panel as a cancel (another hook opened). */
    cancel: () => {
      if (settle || !panel.hidden) done(false);
    },
    dispose: () => diff.dispose(),
  };
}
