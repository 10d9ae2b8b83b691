/**
 * The console's runtime configuration, `/config.json` next to its page: written by the deployment
 * (cdk/console.ts) and by the local stack, read by the console at start (console/src/runtime-config.ts).
 * One shape for both sides, so that a field one side adds the other cannot miss. Types only.
 */

/** The local stack's: the API is the page's own origin, and nobody signs in. */
export interface ConsoleLocalConfig {
  readonly mode: 'local';
}

/** A deployment's: where the console finds the API and signs its administrators in. */
export interface ConsoleAwsConfig {
  readonly mode: 'aws';
  /** The API's stage URL: `https://<id>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  /** The managed login's origin: `https://<prefix>.auth.<region>.amazoncognito.com` (or a custom domain). */
  readonly cognitoDomain: string;
}

export type ConsoleConfig = ConsoleLocalConfig | ConsoleAwsConfig;
