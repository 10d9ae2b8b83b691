/**
 * The console's runtime configuration: `config.json` next to the page, so one build serves the local stack and
 * every AWS deployment. The local stack serves `{ "mode": "local" }` (and a server without the file means the
 * same); a deployment writes `{ "mode": "aws", ... }` with its API and Cognito ids. The build holds no
 * config.json of its own.
 *
 * Checked by hand rather than with a schema library, to keep the page's bundle small.
 */

import type { ConsoleAwsConfig, ConsoleConfig, ConsoleLocalConfig } from '../../shared/api/console-config';

/** The shape the deployment writes and the local stack serves (shared/api/console-config.ts), one for both. */
export type LocalConfig = ConsoleLocalConfig;
export type AwsConfig = ConsoleAwsConfig;
export type RuntimeConfig = ConsoleConfig;

/** A config.json that cannot be used, with each problem found. */
export class RuntimeConfigError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length === 0 ? message : `${message}: ${problems.join('; ')}`);
    this.name = 'RuntimeConfigError';
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An https URL, without credentials, query or fragment (and, with `originOnly`, without a path). */
function httpsUrlProblem(value: unknown, originOnly: boolean): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is missing';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username || url.password || url.search || url.hash)
    return 'must have no credentials, query or fragment';
  if (originOnly && url.pathname !== '/') return 'must be an origin (https://host), without a path';
  return undefined;
}

/** Checks a parsed config.json; the AWS settings are checked field by field, every problem listed. */
export function parseRuntimeConfig(json: unknown): RuntimeConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RuntimeConfigError('config.json is not a JSON object');
  }
  const fields = json as Record<string, unknown>;
  if (fields.mode === 'local') return { mode: 'local' };
  if (fields.mode !== 'aws') {
    throw new RuntimeConfigError('config.json has no valid mode', ['mode must be "local" or "aws"']);
  }
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = fields[name];
    if (typeof value === 'string' && value !== '') return value;
    problems.push(`${name} is missing`);
    return '';
  };
  const check = (name: string, problem: string | undefined) => {
    if (problem) problems.push(`${name} ${problem}`);
  };

  const apiUrl = fields.apiUrl;
  check('apiUrl', httpsUrlProblem(apiUrl, false));
  const cognitoDomain = fields.cognitoDomain;
  check('cognitoDomain', httpsUrlProblem(cognitoDomain, true));
  const region = text('region');
  if (region && !REGION.test(region)) problems.push(`region "${region}" is not an AWS region name`);
  const userPoolId = text('userPoolId');
  if (userPoolId && !(userPoolId.startsWith(`${region}_`) && /^[^_]+_[0-9A-Za-z]+$/.test(userPoolId))) {
    problems.push(
      `userPoolId "${userPoolId}" is not a user pool id of ${region || 'the region'} (<region>_<id>)`,
    );
  }
  const userPoolClientId = text('userPoolClientId');
  if (userPoolClientId && !/^[\w+]+$/.test(userPoolClientId)) {
    problems.push(`userPoolClientId "${userPoolClientId}" is not an app client id`);
  }
  const identityPoolId = text('identityPoolId');
  if (
    identityPoolId &&
    !(identityPoolId.startsWith(`${region}:`) && UUID.test(identityPoolId.slice(region.length + 1)))
  ) {
    problems.push(
      `identityPoolId "${identityPoolId}" is not an identity pool id of ${region || 'the region'} (<region>:<uuid>)`,
    );
  }
  if (problems.length > 0)
    throw new RuntimeConfigError('config.json is not a valid AWS configuration', problems);
  return {
    mode: 'aws',
    apiUrl: (apiUrl as string).replace(/\/$/, ''),
    region,
    userPoolId,
    userPoolClientId,
    identityPoolId,
    cognitoDomain: new URL(cognitoDomain as string).origin,
  };
}

/**
 * Loads `config.json` from `url`. A server without it (404) means local mode, as before config.json existed.
 * Anything else that is not a valid configuration is an error, shown as such rather than guessed around.
 */
export async function loadRuntimeConfig(url: URL, fetchConfig: typeof fetch = fetch): Promise<RuntimeConfig> {
  let response: Response;
  try {
    response = await fetchConfig(url, { cache: 'no-store', credentials: 'same-origin' });
  } catch (error) {
    throw new RuntimeConfigError(`config.json could not be loaded: ${(error as Error).message}`);
  }
  if (response.status === 404) return { mode: 'local' };
  if (!response.ok) throw new RuntimeConfigError(`config.json could not be loaded: HTTP ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch {
    throw new RuntimeConfigError('config.json is not JSON');
  }
  return parseRuntimeConfig(json);
}
