/**
 * The access token in the browser. The local stack wants `Authorization: Bearer <token>` on every API request;
 * the console takes the token from the URL fragment (`#token=...`, which `adsync serve` prints as a link and
 * which browsers never send to a server) or from the sign-in form, and keeps it in sessionStorage: it lasts
 * as long as the tab and is not shared with other tabs or written to disk by the page.
 */
const KEY = 'ad-sync.token';

/** Moves a token in the URL fragment into the session and out of the address bar and history. */
export function takeTokenFromLocation(): void {
  const match = /^#token=([^&]+)/.exec(window.location.hash);
  if (!match?.[1]) return;
  saveToken(decodeURIComponent(match[1]));
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/directory`);
}

export const savedToken = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined;

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
