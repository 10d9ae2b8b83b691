/**
 * The deployment's context (cdk.json, or `-c name=value`) read into AdSyncSettings, strictly: a value that is
 * not what its name asks for fails the synth with an error naming the context key, never silently becomes a
 * default. docs/deploy.md lists the keys.
 */
import type { IConstruct } from 'constructs';
import type { AdSyncSettings } from './ad-sync-settings';

/** The retentions CloudWatch Logs accepts, in days (RetentionDays, without "never expire"). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/** As AWS Control Tower's proactive controls ask for CloudWatch log groups. */
export const DEFAULT_LOG_RETENTION_DAYS = 365;

/** An IAM principal a resource policy can name and `aws:PrincipalArn` matches: an account root, a user, a role. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/;
/** A managed policy (the account's own, or AWS's) as a permissions boundary. */
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;
/** A KMS key by its key ARN (an alias will not do: grants and key policies name the key). */
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
/** IAM: a path begins and ends with `/`, printable ASCII between, 512 characters at most. */
const ROLE_PATH = /^\/([\x21-\x7e]{0,510}\/)?$/;
/** The characters of an IAM role name; 32 at most leave room for the name the stack adds. */
const ROLE_NAME_PREFIX = /^[\w+=,.@-]{1,32}$/;
/** The characters AWS allows in tag keys and values; keys of 1 to 128, values of 0 to 256; no `aws:`. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** A context value that is not what its key asks for. */
export class ContextError extends Error {
  constructor(key: string, message: string) {
    super(`context ${key} ${message}`);
    this.name = 'ContextError';
  }
}

/** An address SNS can mail: one @, a dot in the domain, no spaces or angle brackets. */
const EMAIL_ADDRESS = /^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$/;

/** A context value as given: a string from `-c`, or any JSON value from cdk.json. Empty means not given. */
type Read = (key: string) => unknown;

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

function text(read: Read, key: string, pattern?: RegExp, what?: string): string | undefined {
  const value = read(key);
  if (!given(value)) return undefined;
  if (typeof value !== 'string' || (pattern && !pattern.test(value.trim()))) {
    throw new ContextError(key, `must be ${what ?? 'a string'}, not ${JSON.stringify(value)}`);
  }
  return value.trim();
}

/** A list: a JSON array, or a comma-separated string (`-c dcCidrs=10.0.0.0/24,10.0.1.0/24`). */
function list(read: Read, key: string, pattern?: RegExp, what?: string): string[] | undefined {
  const value = read(key);
  if (!given(value)) return undefined;
  let items: unknown = value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      try {
        items = JSON.parse(trimmed);
      } catch {
        throw new ContextError(key, `must be a JSON array or a comma-separated list, not ${value}`);
      }
    } else {
      items = trimmed.split(',');
    }
  }
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) {
    throw new ContextError(key, `must be a list of strings, not ${JSON.stringify(value)}`);
  }
  const values = items.map((item: string) => item.trim()).filter(Boolean);
  const wrong = pattern ? values.filter((item) => !pattern.test(item)) : [];
  if (values.length === 0 || wrong.length > 0) {
    throw new ContextError(
      key,
      `must list ${what ?? 'values'}${wrong.length > 0 ? `, not ${wrong.join(', ')}` : ''}`,
    );
  }
  return values;
}

function boolean(read: Read, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (!given(value)) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ContextError(key, `must be true or false, not ${JSON.stringify(value)}`);
}

function integer(read: Read, key: string, fallback: number | undefined, min: number, max: number) {
  const value = read(key);
  if (!given(value)) return fallback;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ContextError(key, `must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return number;
}

/** Tags: a JSON object of strings (`-c tags='{"CostCenter":"1234"}'`), each as AWS allows them. */
function tags(read: Read, key: string): Record<string, string> {
  const value = read(key);
  if (!given(value)) return {};
  let object: unknown = value;
  if (typeof value === 'string') {
    try {
      object = JSON.parse(value);
    } catch {
      throw new ContextError(key, `must be a JSON object of tag names and values, not ${value}`);
    }
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new ContextError(
      key,
      `must be a JSON object of tag names and values, not ${JSON.stringify(value)}`,
    );
  }
  const entries = Object.entries(object);
  for (const [name, tagValue] of entries) {
    if (typeof tagValue !== 'string') {
      throw new ContextError(
        key,
        `must give each tag a string value: ${name} has ${JSON.stringify(tagValue)}`,
      );
    }
    if (
      name.length < 1 ||
      name.length > 128 ||
      !TAG_TEXT.test(name) ||
      name.toLowerCase().startsWith('aws:')
    ) {
      throw new ContextError(
        key,
        `has a tag name AWS refuses: ${JSON.stringify(name)} (1 to 128 letters, digits, spaces and _ . : / = + - @; not aws:)`,
      );
    }
    if (tagValue.length > 256 || !TAG_TEXT.test(tagValue)) {
      throw new ContextError(
        key,
        `has a value AWS refuses for tag ${name}: ${JSON.stringify(tagValue)} (up to 256 letters, digits, spaces and _ . : / = + - @)`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The principals allowed to call the API (context `adminPrincipals`); undefined: the account's own. */
function adminPrincipals(read: Read): string[] | undefined {
  const what =
    'IAM principal ARNs (arn:aws:iam::<account>:root, :user/<name> or :role/<name>); leave it out to let ' +
    "this account's IAM policies decide";
  const value = read('adminPrincipals');
  if (given(value) && (value === '[]' || (Array.isArray(value) && value.length === 0))) {
    throw new ContextError('adminPrincipals', `must list ${what}`);
  }
  return list(read, 'adminPrincipals', PRINCIPAL_ARN, what);
}

/** Drops the keys whose value is undefined (exactOptionalPropertyTypes). */
const defined = <T extends object>(object: T): T =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;

/** The settings of the deployment, from the context of `scope` (the app). */
export function settingsFromContext(scope: IConstruct): AdSyncSettings {
  const read: Read = (key) => scope.node.tryGetContext(key);
  const endpoints = text(read, 'endpoints', /^(create|existing)$/, 'create or existing') ?? 'create';
  const settings: AdSyncSettings = defined({
    vpcId: text(read, 'vpcId', /^vpc-[0-9a-f]+$/, 'a VPC id (vpc-...)'),
    subnetIds: list(read, 'subnetIds', /^subnet-[0-9a-f]+$/, 'subnet ids (subnet-...)'),
    routeTableIds: list(read, 'routeTableIds', /^rtb-[0-9a-f]+$/, 'route table ids (rtb-...)'),
    availabilityZones: list(
      read,
      'availabilityZones',
      AVAILABILITY_ZONE,
      'availability zone names (eu-central-1a)',
    ),
    dcCidrs: list(read, 'dcCidrs', IPV4_CIDR, 'IPv4 CIDRs (10.0.0.0/24)'),
    globalCatalog: boolean(read, 'globalCatalog', false),
    endpoints: endpoints as AdSyncSettings['endpoints'],
    endpointCidrs: list(read, 'endpointCidrs', IPV4_CIDR, 'IPv4 CIDRs (10.0.0.0/24)'),
    endpointSecurityGroupId: text(
      read,
      'endpointSecurityGroupId',
      SECURITY_GROUP_ID,
      'a security group id (sg-...)',
    ),
    endpointAzs: integer(read, 'endpointAzs', undefined, 1, 6),
    permissionsBoundaryArn: text(
      read,
      'permissionsBoundaryArn',
      POLICY_ARN,
      'the ARN of a managed policy (arn:aws:iam::<account>:policy/<name>)',
    ),
    rolePath: text(read, 'rolePath', ROLE_PATH, 'an IAM path that begins and ends with / (/ad-sync/)'),
    roleNamePrefix: text(
      read,
      'roleNamePrefix',
      ROLE_NAME_PREFIX,
      'up to 32 characters of an IAM role name (letters, digits and _+=,.@-)',
    ),
    kmsKeyArn: text(
      read,
      'kmsKeyArn',
      KEY_ARN,
      'the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>), not an alias',
    ),
    tags: tags(read, 'tags'),
    logRetentionDays: integer(read, 'logRetentionDays', DEFAULT_LOG_RETENTION_DAYS, 1, 3653),
    alarmTopicArn: text(read, 'alarmTopicArn', SNS_TOPIC_ARN, 'the ARN of an SNS topic'),
    alertEmail: text(read, 'alertEmail', EMAIL_ADDRESS, 'an email address (ops@company.example)'),
    adminPrincipals: adminPrincipals(read),
    // EventBridge Scheduler's rate goes down to one minute.
    scheduleMinutes: integer(read, 'scheduleMinutes', 60, 1, 10_080),
    scheduleEnabled: boolean(read, 'scheduleEnabled', false),
  } as AdSyncSettings);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(settings.logRetentionDays)) {
    throw new ContextError(
      'logRetentionDays',
      `must be one of the retentions CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')}), not ${settings.logRetentionDays}`,
    );
  }
  checkEndpoints(settings);
  return settings;
}

/**
 * Context `controlTowerRules`: also check AWS Control Tower's proactive controls at synth (cfn-guard, from the
 * devDependency @cdklabs/cdk-validator-cfnguard). Off by default: it adds seconds to every synth.
 */
export function controlTowerRulesFromContext(scope: IConstruct): boolean {
  return boolean((key) => scope.node.tryGetContext(key), 'controlTowerRules', false);
}

/** The endpoint settings that belong together, or an error that says which is missing or out of place. */
function checkEndpoints(settings: AdSyncSettings): void {
  const reach = settings.endpointCidrs !== undefined || settings.endpointSecurityGroupId !== undefined;
  if (settings.endpoints === 'existing') {
    if (!settings.vpcId) {
      throw new ContextError(
        'endpoints',
        'existing needs vpcId: only an existing VPC has endpoints already (a new VPC gets its own)',
      );
    }
    if (!reach) {
      throw new ContextError(
        'endpoints',
        "existing needs endpointCidrs or endpointSecurityGroupId: where the functions reach the VPC's Secrets Manager endpoint on 443",
      );
    }
    if (settings.endpointAzs !== undefined) {
      throw new ContextError(
        'endpointAzs',
        'applies to the endpoint the stack creates: leave it out with endpoints=existing',
      );
    }
  } else if (reach) {
    const key = settings.endpointCidrs !== undefined ? 'endpointCidrs' : 'endpointSecurityGroupId';
    throw new ContextError(key, "applies to a VPC's existing endpoints: it needs endpoints=existing");
  }
}
