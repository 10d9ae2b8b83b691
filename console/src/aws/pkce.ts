/**
 * PKCE (RFC 7636) for the authorization-code sign-in: a random verifier kept by the tab, and its S256 challenge
 * sent with the authorization request, so a stolen code is useless without the verifier. Web Crypto only.
 */

/** The Web Crypto the sign-in needs: the browser's `crypto`, or Node's in tests. */
export interface WebCrypto {
  getRandomValues<T extends Uint8Array<ArrayBuffer>>(array: T): T;
  readonly subtle: { digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> };
}

/** base64url without padding (RFC 4648 section 5), as PKCE and OAuth `state` use it. */
export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `byteCount` random bytes, base64url: 32 bytes give 43 characters of [A-Za-z0-9_-]. */
export function randomToken(crypto: WebCrypto, byteCount = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** A code verifier: 43 characters from the unreserved set, 256 random bits (RFC 7636 section 4.1). */
export const createCodeVerifier = (crypto: WebCrypto): string => randomToken(crypto, 32);

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 section 4.2). */
export async function codeChallengeS256(verifier: string, crypto: WebCrypto): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}
