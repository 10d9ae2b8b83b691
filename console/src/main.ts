/**
 * The ad-sync admin console: a single page over the public HTTP API. Pages are chosen by the URL fragment
 * (`#/directory`, `#/test`, `#/sync`, `#/runs`, `#/users`, `#/groups`).
 *
 * One build, two modes, chosen by `config.json` next to the page (runtime-config.ts): on the local stack the
 * token comes from `#token=...` or the sign-in form (see session.ts); in AWS the administrator signs in with
 * Cognito and every API call is signed with SigV4 (see aws/, loaded only in that mode).
 */
import './styles.css';
import type { ApiClient } from '../../shared/api/client';
import { ApiError, consoleApiClient } from './api-client';
import type { AppState, Route } from './app-state';
import { isSignInRedirect } from './aws/sign-in-redirect';
import { renderBanners } from './banner-view';
import { h, pageHeading, replaceChildren } from './dom';
import { renderDirectoryPage } from './pages/directory-page';
import { renderGroupsPage } from './pages/groups-page';
import { renderRunsPage } from './pages/runs-page';
import { renderSyncPage } from './pages/sync-page';
import { renderTestSettingsPage } from './pages/test-settings-page';
import { renderUsersPage } from './pages/users-page';
import { type AwsConfig, loadRuntimeConfig, RuntimeConfigError } from './runtime-config';
import { forgetToken, savedToken, saveToken, takeTokenFromLocation } from './session';

const PAGES: ReadonlyArray<{ route: Route; title: string }> = [
  { route: 'directory', title: 'Directory Services' },
  { route: 'test', title: 'Test Settings' },
  { route: 'sync', title: 'Synchronize now' },
  { route: 'runs', title: 'Runs' },
  { route: 'users', title: 'Users' },
  { route: 'groups', title: 'Groups' },
];

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;
const signedInAs = document.getElementById('signed-in-as') as HTMLElement;
const banners = document.getElementById('banners') as HTMLElement;

/** What the console's mode does on Sign out (local: forget the token; AWS: Cognito's sign-out). */
let signOutAction: () => void = () => {};
/** Whether the API client is local (token) or AWS (Cognito): the `#token=` link means something only locally. */
let mode: 'local' | 'aws' | undefined;

const routeOf = (hash: string): Route | undefined =>
  PAGES.find((page) => hash === `#/${page.route}`)?.route ??
  (hash === '' || hash === '#/' ? 'directory' : undefined);

function showSignIn(reason?: string): void {
  nav.hidden = true;
  signOut.hidden = true;
  signedInAs.hidden = true;
  banners.hidden = true;
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
      startLocal();
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
  // Each visit draws into its own element. A page still loading when the administrator moves on (its API
  // call slow) then draws into an element no longer shown, instead of over the page they went to.
  const view = h('div', {}, pageHeading(page.title), h('p', { role: 'status' }, 'Loading…'));
  replaceChildren(main, view);
  state.refreshBanners?.();
  try {
    switch (route) {
      case 'directory':
        await renderDirectoryPage(state, view);
        break;
      case 'test':
        renderTestSettingsPage(state, view);
        break;
      case 'sync':
        renderSyncPage(state, view);
        break;
      case 'runs':
        await renderRunsPage(state, view);
        break;
      case 'users':
        await renderUsersPage(state, view);
        break;
      case 'groups':
        await renderGroupsPage(state, view);
        break;
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    // AWS mode: the credentials could not be renewed and the browser is on its way to sign in again.
    if (isSignInRedirect(error)) return;
    replaceChildren(
      view,
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
  if (moveFocus && view.isConnected && !main.contains(document.activeElement)) {
    document.getElementById('page-heading')?.focus();
  }
}

/** Opens the console's pages with an API client; `user` is shown in the header (AWS mode). */
function openConsole(api: ApiClient, user?: string): void {
  state = {
    api,
    navigate: (route) => {
      if (window.location.hash === `#/${route}`) void showPage(route, true);
      else window.location.hash = `#/${route}`;
    },
    editField: (field, message) => {
      if (!state) return;
      state.pendingFieldError = { field, message };
      state.navigate('directory');
    },
    refreshBanners: () => void renderBanners(state as AppState, banners),
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
  signedInAs.textContent = user ? `Signed in as ${user}` : '';
  signedInAs.hidden = !user;
  void showPage(routeOf(window.location.hash) ?? 'directory', false);
}

/** Local mode: the token of the tab, or the form asking for it. */
function startLocal(): void {
  mode = 'local';
  signOutAction = () => {
    forgetToken();
    state = undefined;
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
    showSignIn();
  };
  const token = savedToken();
  if (!token) {
    showSignIn();
    return;
  }
  openConsole(
    consoleApiClient(token, () => {
      forgetToken();
      state = undefined;
      showSignIn('The token is no longer accepted; sign in again.');
    }),
  );
}

/** A page in place of the console: a title, what went wrong, and perhaps a way on. */
function showProblem(title: string, message: string, ...extra: HTMLElement[]): void {
  nav.hidden = true;
  banners.hidden = true;
  signOut.hidden = true;
  signedInAs.hidden = true;
  document.title = `${title} · ad-sync console`;
  replaceChildren(
    main,
    pageHeading(title),
    h('div', { class: 'alert alert-error', role: 'alert' }, message),
    extra,
  );
}

/** AWS mode: Cognito's sign-in, then the API with SigV4 (the AWS code is loaded only now). */
async function startAws(config: AwsConfig): Promise<void> {
  mode = 'aws';
  const aws = await import('./aws/aws-mode');
  try {
    const session = await aws.startAwsSession(config);
    // On the way to the managed login: the page is about to be replaced.
    if (!session) return;
    signOutAction = () => {
      state = undefined;
      void session.signOut();
    };
    openConsole(session.api, session.user);
  } catch (error) {
    const again = h('button', { type: 'button', class: 'primary' }, 'Sign in again');
    again.addEventListener('click', () => void aws.browserSignIn(config).signIn());
    showProblem(
      'Sign-in failed',
      error instanceof aws.SignInError ? error.message : `The sign-in failed: ${(error as Error).message}`,
      h('div', { class: 'actions' }, again),
    );
  }
}

/** Reads config.json and starts the console in its mode; a broken configuration is shown, not guessed around. */
async function boot(): Promise<void> {
  replaceChildren(main, h('p', { role: 'status' }, 'Loading…'));
  let config: Awaited<ReturnType<typeof loadRuntimeConfig>>;
  try {
    config = await loadRuntimeConfig(new URL('config.json', window.location.href.replace(/#.*$/, '')));
  } catch (error) {
    const problems = error instanceof RuntimeConfigError ? error.problems : [];
    showProblem(
      'The console is not configured correctly',
      error instanceof RuntimeConfigError && problems.length > 0
        ? 'Its config.json is not valid:'
        : (error as Error).message,
      h(
        'ul',
        { class: 'config-problems' },
        problems.map((problem) => h('li', {}, problem)),
      ),
      h(
        'p',
        {},
        'config.json is written next to the console when it is deployed (see docs/deploy.md); the local stack serves { "mode": "local" }.',
      ),
    );
    return;
  }
  if (config.mode === 'aws') {
    await startAws(config);
    return;
  }
  takeTokenFromLocation();
  startLocal();
}

window.addEventListener('hashchange', () => {
  if (mode === 'local' && /^#token=/.test(window.location.hash)) {
    takeTokenFromLocation();
    startLocal();
    return;
  }
  const route = routeOf(window.location.hash);
  if (route && state) void showPage(route, true);
});

signOut.addEventListener('click', () => signOutAction());

// The skip link moves focus to the page without touching the fragment, which chooses the page.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

void boot();
