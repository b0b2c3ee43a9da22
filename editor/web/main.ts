/**
 * The editor page: log in, then the 13 hooks (edit, replay, publish, history) and the Status tab. Plain DOM;
 * each view is a module that renders into the element it is given. Stable ids and data-testid attributes are
 * what the browser tests (tests/editor-web) hold on to.
 */
import './locale.ts';
import './style.css';
import { api, describe, whenUnauthorized } from './api.ts';
import { $, clear, h } from './dom.ts';
import { createCallsView } from './calls-view.ts';
import { createHooksView } from './hooks-view.ts';
import { setupMonaco } from './monaco.ts';
import { createStatusView } from './status-view.ts';
import { createReprocessView } from './reprocess-view.ts';

setupMonaco();
const app = $('#app');
let stopShell: (() => void) | null = null;

function showLogin(message = ''): void {
  stopShell?.();
  stopShell = null;
  const error = h('p#login-error.error', { role: 'alert' }, message);
  const username = h('input#username', { type: 'text', name: 'username', autocomplete: 'username', value: 'admin', required: true });
  const password = h('input#password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form#login', { 'data-testid': 'login-form' }, h('h1', {}, 'hookline'), h('label', {}, 'User', h('br'), username), h('label', {}, 'Password', h('br'), password), h('button#login-submit.primary', { type: 'submit' }, 'Log in'), error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const r = await api<{ username: string }>('POST', '/api/login', { username: username.value, password: password.value });
    if (r.ok) {
      sessionStorage.setItem('hookline.user', r.body.username);
      showShell(r.body.username);
    }
    else error.textContent = describe(r.error);
  });
  clear(app, form);
  password.focus();
}

function showShell(username: string): void {
  const tabs = { hooks: h('button#tab-hooks', { 'data-testid': 'tab-hooks', role: 'tab' }, 'Hooks'), status: h('button#tab-status', { 'data-testid': 'tab-status', role: 'tab' }, 'Status'), calls: h('button#tab-calls', { 'data-testid': 'tab-calls', role: 'tab' }, 'Calls') };
  const logout = h('button#logout', {}, 'Log out');
  const body = h('div#views');
  clear(app, h('header', {}, h('h1', {}, 'hookline'), h('nav.tabs', { role: 'tablist' }, tabs.hooks, tabs.status, tabs.calls), h('span.spacer'), h('span.muted#whoami', {}, username), logout), body);
  const hooksEl = h('main#hooks-view');
  const statusEl = h('section#status-view', { hidden: true });
  const callsEl = h('section#calls-view', { hidden: true });
  body.append(hooksEl, statusEl, callsEl);
  const hooksView = createHooksView(hooksEl);
  let statusView: ReturnType<typeof createStatusView> | null = null;
  let reprocessView: ReturnType<typeof createReprocessView> | null = null;
  let callsView: ReturnType<typeof createCallsView> | null = null;
  const select = (which: 'hooks' | 'status' | 'calls') => {
    tabs.hooks.setAttribute('aria-selected', String(which === 'hooks'));
    tabs.status.setAttribute('aria-selected', String(which === 'status'));
    tabs.calls.setAttribute('aria-selected', String(which === 'calls'));
    hooksEl.hidden = which !== 'hooks';
    statusEl.hidden = which !== 'status';
    callsEl.hidden = which !== 'calls';
    if (which === 'calls') callsView ??= createCallsView(callsEl, { openHook: (hook) => {
      select('hooks');
      void hooksView.open(hook);
    } });
    callsView?.active(which === 'calls');
    if (which === 'status') statusView ??= createStatusView(statusEl, { openHook: (hook) => {
      select('hooks');
      void hooksView.open(hook);
    } });
    if (which === 'status') reprocessView ??= createReprocessView(statusEl);
    statusView?.active(which === 'status');
  };
  tabs.hooks.addEventListener('click', () => select('hooks'));
  tabs.status.addEventListener('click', () => select('status'));
  tabs.calls.addEventListener('click', () => select('calls'));
  logout.addEventListener('click', async () => {
    await api('POST', '/api/logout', {});
    showLogin();
  });
  select('hooks');
  stopShell = () => {
    hooksView.dispose();
    statusView?.dispose();
    reprocessView?.dispose();
  };
}

whenUnauthorized(() => showLogin('Your session ended: log in again.'));

// Already logged in (the cookie is HttpOnly, so ask the API)?
void api<{ hooks: unknown[] }>('GET', '/api/hooks').then((r) => (r.ok ? showShell(sessionStorage.getItem('hookline.user') ?? '') : showLogin()));
