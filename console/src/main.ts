/**
 * The ad-sync admin console: a single page over the public HTTP API. Pages are chosen by the URL fragment
 * (`#/directory`, `#/test`, `#/sync`, `#/runs`, `#/users`); the token comes from `#token=...` or the sign-in
 * form (see session.ts).
 */
import './styles.css';
import { ApiError, consoleApiClient } from './api-client';
import type { AppState, Route } from './app-state';
import { h, pageHeading, replaceChildren } from './dom';
import { renderDirectoryPage } from './pages/directory-page';
import { renderRunsPage } from './pages/runs-page';
import { renderSyncPage } from './pages/sync-page';
import { renderTestSettingsPage } from './pages/test-settings-page';
import { renderUsersPage } from './pages/users-page';
import { forgetToken, savedToken, saveToken, takeTokenFromLocation } from './session';

const PAGES: ReadonlyArray<{ route: Route; title: string }> = [
  { route: 'directory', title: 'Directory Services' },
  { route: 'test', title: 'Test Settings' },
  { route: 'sync', title: 'Synchronize now' },
  { route: 'runs', title: 'Runs' },
  { route: 'users', title: 'Users' },
];

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;

const routeOf = (hash: string): Route | undefined =>
  PAGES.find((page) => hash === `#/${page.route}`)?.route ??
  (hash === '' || hash === '#/' ? 'directory' : undefined);

function showSignIn(reason?: string): void {
  nav.hidden = true;
  signOut.hidden = true;
  document.title = 'Sign in · ad-sync console';
  const token = h('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    autocomplete: 'off',
    'aria-describedby': 'token-hint',
    required: true,
  });
  const error = h('p', { class: 'field-error', id: 'token-error', hidden: !reason }, reason ?? '');
  if (reason) {
    token.setAttribute('aria-invalid', 'true');
    token.setAttribute('aria-describedby', 'token-error token-hint');
  }
  const form = h(
    'form',
    { class: 'sign-in', novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'token' }, 'Access token'),
      h(
        'p',
        { class: 'hint', id: 'token-hint' },
        'The local stack’s token: printed by adsync serve, saved in $ADSYNC_HOME/token, or $ADSYNC_TOKEN. It is kept for this tab only.',
      ),
      error,
      token,
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const candidate = token.value.trim();
    if (!candidate) {
      showSignIn('Enter the access token.');
      return;
    }
    try {
      await consoleApiClient(candidate).getConfig();
      saveToken(candidate);
      start();
    } catch (failure) {
      showSignIn(
        failure instanceof ApiError && failure.status === 401
          ? 'The API does not accept this token.'
          : `Cannot check the token: ${(failure as Error).message}`,
      );
    }
  });
  replaceChildren(main, pageHeading('Sign in to the ad-sync console'), form);
  if (reason) token.focus();
}

let state: AppState | undefined;

async function showPage(route: Route, moveFocus: boolean): Promise<void> {
  if (!state) return;
  const page = PAGES.find((p) => p.route === route) as (typeof PAGES)[number];
  document.title = `${page.title} · ad-sync console`;
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#/${route}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  replaceChildren(main, pageHeading(page.title), h('p', { role: 'status' }, 'Loading…'));
  try {
    switch (route) {
      case 'directory':
        await renderDirectoryPage(state, main);
        break;
      case 'test':
        renderTestSettingsPage(state, main);
        break;
      case 'sync':
        renderSyncPage(state, main);
        break;
      case 'runs':
        await renderRunsPage(state, main);
        break;
      case 'users':
        await renderUsersPage(state, main);
        break;
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    replaceChildren(
      main,
      pageHeading(page.title),
      h(
        'div',
        { class: 'alert alert-error', role: 'alert' },
        `This page could not be loaded: ${(error as Error).message}`,
      ),
    );
  }
  // After navigating, focus goes to the new page's heading, as a screen reader user expects; a field the page
  // focused itself (an error to fix) keeps it.
  if (moveFocus && !main.contains(document.activeElement)) document.getElementById('page-heading')?.focus();
}

function start(): void {
  const token = savedToken();
  if (!token) {
    showSignIn();
    return;
  }
  state = {
    api: consoleApiClient(token, () => {
      forgetToken();
      state = undefined;
      showSignIn('The token is no longer accepted; sign in again.');
    }),
    navigate: (route) => {
      if (window.location.hash === `#/${route}`) void showPage(route, true);
      else window.location.hash = `#/${route}`;
    },
    editField: (field, message) => {
      if (!state) return;
      state.pendingFieldError = { field, message };
      state.navigate('directory');
    },
  };
  replaceChildren(
    nav,
    h(
      'ul',
      {},
      PAGES.map((page) => h('li', {}, h('a', { href: `#/${page.route}` }, page.title))),
    ),
  );
  nav.hidden = false;
  signOut.hidden = false;
  void showPage(routeOf(window.location.hash) ?? 'directory', false);
}

window.addEventListener('hashchange', () => {
  if (/^#token=/.test(window.location.hash)) {
    takeTokenFromLocation();
    start();
    return;
  }
  const route = routeOf(window.location.hash);
  if (route && state) void showPage(route, true);
});

signOut.addEventListener('click', () => {
  forgetToken();
  state = undefined;
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  showSignIn();
});

// The skip link moves focus to the page without touching the fragment, which chooses the page.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

takeTokenFromLocation();
start();
