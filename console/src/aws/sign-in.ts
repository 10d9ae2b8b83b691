/**
 * Signing an administrator in to the deployed console, and the AWS credentials that follow.
 *
 * 1. Sign-in: the browser goes to Cognito's managed login (`<cognitoDomain>/oauth2/authorize`) with the
 *    authorization-code flow and PKCE; the tab keeps a random `state` and the PKCE verifier in sessionStorage.
 * 2. Return: Cognito sends the browser back to the console with `?code=&state=`. The state must be the one this
 *    tab sent; the code leaves the address bar at once and is exchanged, with the verifier, for tokens at
 *    `<cognitoDomain>/oauth2/token` (a public client: no secret).
 * 3. Credentials: the identity pool turns the ID token into temporary AWS credentials (GetId, then
 *    GetCredentialsForIdentity), whose role may only invoke this API; the console signs its calls with them.
 * 4. Refresh: shortly before the credentials expire (or when the API says they have), the refresh token buys a
 *    new ID token and new credentials; when Cognito refuses it, the administrator signs in again.
 * 5. Sign-out: everything kept is dropped, the refresh token revoked, and Cognito's logout ends its session too.
 *
 * Tokens and credentials live in sessionStorage only: they last as long as the tab, are not shared with other
 * tabs, and are never written to disk by the page. The access token is not kept at all (nothing uses it).
 * Everything the browser provides is injected, so this runs in Node under test.
 */
import {
  type CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import type { AwsConfig } from '../runtime-config';
import { codeChallengeS256, createCodeVerifier, randomToken, type WebCrypto } from './pkce';
import { SignInRedirectError } from './sign-in-redirect';

export { SignInRedirectError };

/** What the sign-in uses of the browser. */
export interface SignInEnvironment {
  /** For Cognito's token endpoint. */
  readonly fetch: typeof fetch;
  /** sessionStorage. */
  readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** The page's address, and going to another page. */
  readonly location: { readonly href: string; assign(url: string): void };
  /** Changes the address bar without loading anything (history.replaceState). */
  replaceUrl(url: string): void;
  readonly crypto: WebCrypto;
  /** Milliseconds since the epoch. */
  now(): number;
  /** A Cognito Identity client in the configuration's region. */
  readonly identity: CognitoIdentityClient;
}

/** Temporary AWS credentials, as the SigV4 signer takes them. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** Where a start leaves the console: signed in (as whom), or on its way to the managed login. */
export type SignInOutcome = { readonly signedIn: true; readonly user: string } | { readonly signedIn: false };

/** The sign-in could not be completed (the message says why, for the administrator). */
export class SignInError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignInError';
  }
}

/** Cognito's token endpoint answered with an error (a refused code or refresh token), not a network failure. */
class TokenRequestRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Cognito refused the token request: ${code} (HTTP ${status})`);
    this.name = 'TokenRequestRefusedError';
  }
}

/** Credentials are renewed this long before they expire, so that no request is signed with dying ones. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** The sessionStorage keys: the sign-in under way, and the signed-in session. */
export const PENDING_KEY = 'ad-sync.aws.pending';
export const SESSION_KEY = 'ad-sync.aws.session';

interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  /** The fragment (the console's page) to come back to. */
  readonly returnTo: string;
}

interface StoredSession {
  readonly idToken: string;
  readonly refreshToken: string;
  readonly identityId?: string;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
    /** Milliseconds since the epoch. */
    readonly expiration: number;
  };
}

interface TokenAnswer {
  readonly id_token: string;
  readonly refresh_token?: string;
}

/** The claims of a JWT, unverified: the page only reads who signed in; AWS checks the token when it is used. */
function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (!payload) return {};
  try {
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The OAuth answers that end a sign-in: `code`, `state`, `error`, `error_description`. */
const CALLBACK_PARAMETERS = ['code', 'state', 'error', 'error_description'];

export class CognitoSignIn {
  /** The refresh under way, shared by every request that needs it. */
  private refreshing: Promise<TemporaryCredentials> | undefined;

  constructor(
    private readonly config: AwsConfig,
    private readonly env: SignInEnvironment,
  ) {}

  /** Where Cognito sends the browser back, after sign-in and sign-out: the console's origin and `/`. */
  get redirectUri(): string {
    return `${new URL(this.env.location.href).origin}/`;
  }

  /**
   * Starts the console's session: completes a sign-in Cognito has just sent back, keeps a session the tab
   * already has (renewing its credentials when due), or goes to the managed login.
   * @throws SignInError when the sign-in that came back cannot be completed
   */
  async start(): Promise<SignInOutcome> {
    const url = new URL(this.env.location.href);
    if (url.searchParams.has('code') || url.searchParams.has('error')) return this.completeSignIn(url);
    if (this.session()) {
      try {
        await this.credentials();
        return { signedIn: true, user: this.user() };
      } catch (error) {
        if (error instanceof SignInRedirectError) return { signedIn: false };
        throw error;
      }
    }
    await this.signIn();
    return { signedIn: false };
  }

  /** Goes to Cognito's managed login, with a new `state` and PKCE verifier kept for the way back. */
  async signIn(): Promise<void> {
    const pending: PendingSignIn = {
      state: randomToken(this.env.crypto),
      verifier: createCodeVerifier(this.env.crypto),
      returnTo: new URL(this.env.location.href).hash,
    };
    this.env.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.userPoolClientId,
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      state: pending.state,
      code_challenge: await codeChallengeS256(pending.verifier, this.env.crypto),
      code_challenge_method: 'S256',
    });
    this.env.location.assign(`${this.config.cognitoDomain}/oauth2/authorize?${query}`);
  }

  /**
   * Signs out: forgets the tokens and credentials, revokes the refresh token (so neither it nor the ID tokens
   * it issued buy credentials any more: the identity pool checks tokens with Cognito), and ends the managed
   * login's session, which then comes back to the console. The revocation is best effort: the tab forgets
   * the tokens whatever Cognito answers.
   */
  async signOut(): Promise<void> {
    const session = this.session();
    this.forget();
    if (session) {
      await this.env
        .fetch(`${this.config.cognitoDomain}/oauth2/revoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            token: session.refreshToken,
            client_id: this.config.userPoolClientId,
          }).toString(),
        })
        .catch(() => undefined);
    }
    const query = new URLSearchParams({
      client_id: this.config.userPoolClientId,
      logout_uri: this.redirectUri,
    });
    this.env.location.assign(`${this.config.cognitoDomain}/logout?${query}`);
  }

  /** Who is signed in: the ID token's email (else its user name). */
  user(): string {
    const session = this.session();
    if (!session) return '';
    const claims = claimsOf(session.idToken);
    const name = claims.email ?? claims['cognito:username'];
    return typeof name === 'string' ? name : 'administrator';
  }

  /**
   * Credentials to sign a request with: the current ones, or new ones when they expire within
   * {@link REFRESH_MARGIN_MS}.
   * @throws SignInRedirectError when the administrator must sign in again (the browser is on its way)
   */
  async credentials(): Promise<TemporaryCredentials> {
    const session = this.session();
    if (!session) return this.signInAgain();
    const { credentials } = session;
    if (credentials && credentials.expiration - this.env.now() > REFRESH_MARGIN_MS) {
      return { ...credentials, expiration: new Date(credentials.expiration) };
    }
    return this.refresh();
  }

  /**
   * New credentials now, with a new ID token from the refresh token (also when the API has refused the current
   * ones as expired). One refresh at a time: concurrent callers share it.
   * @throws SignInRedirectError when Cognito refuses the refresh token (the browser is on its way to sign in)
   */
  refresh(): Promise<TemporaryCredentials> {
    this.refreshing ??= this.renew().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async renew(): Promise<TemporaryCredentials> {
    const session = this.session();
    if (!session) return this.signInAgain();
    let answer: TokenAnswer;
    try {
      answer = await this.requestTokens({ grant_type: 'refresh_token', refresh_token: session.refreshToken });
    } catch (error) {
      // Refused (expired or revoked refresh token, a signed-out user): sign in again. Unreachable: say so.
      if (error instanceof TokenRequestRefusedError) return this.signInAgain();
      throw error;
    }
    // Cognito sends no new refresh token unless rotation is on; the old one stays valid until it expires.
    const renewed: StoredSession = {
      idToken: answer.id_token,
      refreshToken: answer.refresh_token ?? session.refreshToken,
      ...(session.identityId === undefined ? {} : { identityId: session.identityId }),
    };
    this.save(renewed);
    try {
      return await this.exchangeForCredentials(renewed);
    } catch (error) {
      if ((error as Error).name === 'NotAuthorizedException') return this.signInAgain();
      throw error;
    }
  }

  /** The way back from the managed login: check, clean the address bar, exchange the code, get credentials. */
  private async completeSignIn(url: URL): Promise<SignInOutcome> {
    const pendingText = this.env.storage.getItem(PENDING_KEY);
    this.env.storage.removeItem(PENDING_KEY);
    const pending = pendingText ? (JSON.parse(pendingText) as PendingSignIn) : undefined;
    const code = url.searchParams.get('code');
    const state = url.searchParams.get('state');
    const error = url.searchParams.get('error');
    const errorDescription = url.searchParams.get('error_description');
    // The code is single-use and must not stay in the address bar, the history or a bookmark.
    for (const name of CALLBACK_PARAMETERS) url.searchParams.delete(name);
    url.hash = pending?.returnTo ?? '';
    this.env.replaceUrl(url.href);

    if (error) throw new SignInError(`Cognito did not sign you in: ${errorDescription || error}.`);
    if (!pending || !state || state !== pending.state) {
      throw new SignInError(
        'This sign-in answer was not asked for by this tab (its state does not match), so it was ignored. Sign in again.',
      );
    }
    let answer: TokenAnswer;
    try {
      answer = await this.requestTokens({
        grant_type: 'authorization_code',
        code: code ?? '',
        redirect_uri: this.redirectUri,
        code_verifier: pending.verifier,
      });
    } catch (failure) {
      throw new SignInError(`The sign-in could not be completed: ${(failure as Error).message}.`, {
        cause: failure,
      });
    }
    if (!answer.refresh_token) throw new SignInError('Cognito answered the sign-in without a refresh token.');
    const session: StoredSession = { idToken: answer.id_token, refreshToken: answer.refresh_token };
    this.save(session);
    try {
      await this.exchangeForCredentials(session);
    } catch (failure) {
      this.forget();
      throw new SignInError(`No AWS credentials for this sign-in: ${(failure as Error).message}.`, {
        cause: failure,
      });
    }
    return { signedIn: true, user: this.user() };
  }

  /** A request to Cognito's token endpoint (form-encoded, public client: the client id and no secret). */
  private async requestTokens(parameters: Record<string, string>): Promise<TokenAnswer> {
    const response = await this.env.fetch(`${this.config.cognitoDomain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...parameters, client_id: this.config.userPoolClientId }).toString(),
    });
    const answer = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok) {
      const code = typeof answer?.error === 'string' ? answer.error : 'error';
      throw new TokenRequestRefusedError(response.status, code);
    }
    if (typeof answer?.id_token !== 'string') throw new Error('Cognito answered without an ID token');
    return {
      id_token: answer.id_token,
      ...(typeof answer.refresh_token === 'string' ? { refresh_token: answer.refresh_token } : {}),
    };
  }

  /** The identity pool's temporary credentials for the session's ID token; kept with the session. */
  private async exchangeForCredentials(session: StoredSession): Promise<TemporaryCredentials> {
    const logins = {
      [`cognito-idp.${this.config.region}.amazonaws.com/${this.config.userPoolId}`]: session.idToken,
    };
    const identityId =
      session.identityId ??
      (
        await this.env.identity.send(
          new GetIdCommand({ IdentityPoolId: this.config.identityPoolId, Logins: logins }),
        )
      ).IdentityId;
    if (!identityId) throw new Error('the identity pool answered without an identity id');
    const { Credentials: answer } = await this.env.identity.send(
      new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: logins }),
    );
    if (!answer?.AccessKeyId || !answer.SecretKey || !answer.SessionToken || !answer.Expiration) {
      throw new Error('the identity pool answered without complete credentials');
    }
    const credentials = {
      accessKeyId: answer.AccessKeyId,
      secretAccessKey: answer.SecretKey,
      sessionToken: answer.SessionToken,
      expiration: answer.Expiration.getTime(),
    };
    this.save({ ...session, identityId, credentials });
    return { ...credentials, expiration: answer.Expiration };
  }

  /** Drops the session and goes to sign in; what was asked is not answered. */
  private async signInAgain(): Promise<never> {
    this.forget();
    await this.signIn();
    throw new SignInRedirectError();
  }

  private session(): StoredSession | undefined {
    const text = this.env.storage.getItem(SESSION_KEY);
    if (!text) return undefined;
    try {
      const session = JSON.parse(text) as Partial<StoredSession>;
      if (typeof session.idToken !== 'string' || typeof session.refreshToken !== 'string') return undefined;
      return session as StoredSession;
    } catch {
      return undefined;
    }
  }

  private save(session: StoredSession): void {
    this.env.storage.setItem(SESSION_KEY, JSON.stringify(session));
  }

  private forget(): void {
    this.env.storage.removeItem(SESSION_KEY);
    this.env.storage.removeItem(PENDING_KEY);
  }
}
