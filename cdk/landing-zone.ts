/**
 * What a company's landing zone asks of every stack deployed into it (docs/deploy.md#landing-zone), applied
 * to the whole stack at once (CDK aspects), so that no role, log group or taggable resource a construct makes
 * on its own (a custom resource's role, a flow log's log group) is missed: a permissions boundary, an IAM path
 * and a name prefix on every role; a retention and the customer-managed key on every log group; tags on
 * every taggable resource. The key itself is used where the data is (data.ts, functions.ts, events.ts,
 * console.ts, alarms.ts), with the grants below.
 */
import { Aspects, type IAspect, Stack, Tags, Token } from 'aws-cdk-lib';
import { CfnRole, ManagedPolicy, PermissionsBoundary, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import type { AdSyncSettings } from './ad-sync-settings';
import { ContextError } from './context';

/** How the stack's roles are named: an IAM path, and a prefix of their names. */
export interface RoleNaming {
  readonly path?: string;
  readonly namePrefix?: string;
}

/** IAM role names are 64 characters at most. */
const ROLE_NAME_LENGTH = 64;
/** The longest region name (`ap-southeast-5`), for a role name whose region is known only at deploy time. */
const REGION_LENGTH = 14;

/** The role naming of the settings. */
export const roleNaming = (settings: AdSyncSettings): RoleNaming => ({
  ...(settings.rolePath ? { path: settings.rolePath } : {}),
  ...(settings.roleNamePrefix ? { namePrefix: settings.roleNamePrefix } : {}),
});

/** The ARN of a role of this stack, made from its name and the naming (no reference to the role). */
export function roleArn(stack: Stack, naming: RoleNaming, name: string): string {
  return `arn:${stack.partition}:iam::${stack.account}:role${naming.path ?? '/'}${name}`;
}

/**
 * The customer-managed key of context `kmsKeyArn`, imported (the stack never changes its key policy:
 * docs/deploy.md lists the statements it needs); undefined without it. A KMS key serves its own region only.
 */
export function customerKey(stack: Stack, settings: AdSyncSettings): IKey | undefined {
  if (!settings.kmsKeyArn) return undefined;
  const keyRegion = settings.kmsKeyArn.split(':')[3];
  if (!Token.isUnresolved(stack.region) && keyRegion !== stack.region) {
    throw new ContextError(
      'kmsKeyArn',
      `names a key in ${keyRegion}, and the stack deploys to ${stack.region}: a KMS key serves its own region only`,
    );
  }
  return Key.fromKeyArn(stack, 'CustomerKey', settings.kmsKeyArn);
}

/** The AWS services through which the stack's principals use the key. */
export type KeyService = 'dynamodb' | 'secretsmanager' | 'sqs';

/**
 * A statement that lets a role use the key through one service only (`kms:ViaService`): a role that may
 * decrypt the table's data through DynamoDB cannot decrypt anything else with the key.
 */
export function keyUseVia(key: IKey, service: KeyService, actions: readonly string[]): PolicyStatement {
  const { region, urlSuffix } = Stack.of(key);
  return new PolicyStatement({
    actions: [...actions],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${region}.${urlSuffix}` } },
  });
}

/** Tags of context `tags` on every taggable resource of the app. */
export function tagEverything(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(tags)) Tags.of(scope).add(name, value);
}

/** The permissions boundary, role path and name prefix, and the log groups' retention and key, on the stack. */
export function applyLandingZone(stack: Stack, settings: AdSyncSettings, key: IKey | undefined): void {
  if (settings.permissionsBoundaryArn) {
    PermissionsBoundary.of(stack).apply(
      ManagedPolicy.fromManagedPolicyArn(stack, 'PermissionsBoundary', settings.permissionsBoundaryArn),
    );
  }
  const naming = roleNaming(settings);
  if (naming.path || naming.namePrefix) Aspects.of(stack).add(new RoleNamingAspect(naming));
  Aspects.of(stack).add(new LogGroupAspect(settings.logRetentionDays, key));
}

/**
 * Every role gets the path, and a name that begins with the prefix: `<prefix><stack>-<logical id>-<region>`
 * (IAM names are global to the account: the region keeps two deployments of one stack apart), shortened in
 * the middle when longer than IAM allows, keeping the logical id's hash at its end. A role named already (the
 * console's) is left as it is: its name is made with the same naming (console.ts).
 */
class RoleNamingAspect implements IAspect {
  constructor(private readonly naming: RoleNaming) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnRole)) return;
    const stack = Stack.of(node);
    // A role without a path or name of its own has none, or a token that resolves to none (CDK's physical name).
    if (this.naming.path && stack.resolve(node.path) === undefined) node.path = this.naming.path;
    const prefix = this.naming.namePrefix;
    if (prefix && stack.resolve(node.roleName) === undefined) {
      const regionLength = Token.isUnresolved(stack.region) ? REGION_LENGTH : stack.region.length;
      const room = ROLE_NAME_LENGTH - prefix.length - 1 - regionLength;
      const name = `${stack.stackName}-${stack.resolve(node.logicalId) as string}`;
      const short = name.length <= room ? name : `${name.slice(0, room - 9)}-${name.slice(-8)}`;
      node.roleName = `${prefix}${short}-${stack.region}`;
    }
  }
}

/** Every log group keeps its events the retention of the settings, encrypted with the customer key if given. */
class LogGroupAspect implements IAspect {
  constructor(
    private readonly retentionDays: number,
    private readonly key: IKey | undefined,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnLogGroup)) return;
    node.retentionInDays = this.retentionDays;
    if (this.key) node.kmsKeyId = this.key.keyArn;
  }
}
