/**
 * AWS mode's "the administrator must sign in again": the browser is on its way to the managed login, so what
 * was asked is not answered and there is nothing to show. Its own small module, so that the console's entry
 * can recognise it without loading the AWS code.
 */
export class SignInRedirectError extends Error {
  constructor() {
    super('Signing in again');
    this.name = 'SignInRedirectError';
  }
}

/**
 * Whether an error is, or was caused by, a {@link SignInRedirectError} (the API client wraps what fails while
 * sending, a refresh on the way included, as the cause of its own error).
 */
export function isSignInRedirect(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'SignInRedirectError') return true;
  }
  return false;
}
