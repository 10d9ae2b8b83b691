/**
 * The IAM side of the CDK stack, for tests: the statements of each function's role in the synthesized
 * template, and a small evaluator of what they allow on the tables (actions, resources, and the
 * `dynamodb:LeadingKeys`, `dynamodb:Attributes` and `dynamodb:Select` conditions), the way IAM evaluates them: an
 * explicit Deny wins, then any Allow; `ForAllValues` over no values is true, `Null: false` asks for at least one,
 * a plain operator on a key the request lacks is false (`...IfExists`: true). A condition it does not know
 * fails the test instead of passing. The tables: `main`, the one table with its stream, and `credentials`,
 * local users' password hashes (told apart in the template by the stream).
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../cdk/app';
import {
  alertKey,
  archiveFolderKey,
  checkpointKey,
  configKey,
  cursorKey,
  groupKey,
  handoffKey,
  type ItemKind,
  itemKinds,
  lastSuccessKey,
  lockKey,
  logonAttemptsKey,
  occurrenceKey,
  passwordKey,
  previewKey,
  runKey,
  userKey,
  watchKey,
} from '../../shared/adapters/dynamodb/keys';
import { tableKeys } from '../../shared/adapters/dynamodb/table';
import type { FunctionName } from '../../shared/api/routes';

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The stack's tables: the one table (with its stream), and the credentials table. */
export type TableRole = 'main' | 'credentials';

/**
 * One authorization IAM makes: an action on a resource (`table` or `index/<name>`) of a table (`main` unless
 * said) for these partition keys.
 */
export interface Authorization {
  readonly action: string;
  readonly table?: TableRole;
  readonly resource: 'table' | `index/${string}`;
  readonly leadingKeys: readonly string[];
  /** `dynamodb:Attributes`: the top-level attributes the request names (its expressions); none if left out. */
  readonly attributes?: readonly string[];
  /** `dynamodb:Select` of a Query or Scan: ALL_ATTRIBUTES unless the request says otherwise. */
  readonly select?: string;
}

/** A partition key of each item kind, built as the stores build them. */
export const sampleKeys: Readonly<Record<ItemKind, string>> = {
  user: userKey('Alice').pk,
  password: passwordKey('Alice').pk,
  archiveFolder: archiveFolderKey('0f6c1b7e-folder').pk,
  run: runKey('2f1e-run').pk,
  preview: previewKey('5a7c-preview').pk,
  config: configKey.pk,
  lock: lockKey.pk,
  cursor: cursorKey.pk,
  checkpoint: checkpointKey.pk,
  success: lastSuccessKey.pk,
  watch: watchKey.pk,
  handoff: handoffKey({ runId: '2f1e-run', invocation: 2 }).pk,
  occurrence: occurrenceKey('2026-01-01T00:00:00Z').pk,
  logon: logonAttemptsKey('Alice').pk,
  group: groupKey('9b2d4c1e-0000-4000-9000-000000000001').pk,
  alert: alertKey('sync.stale:2f1e-run').pk,
};

/** The item kind of a partition key, by the patterns the stack grants (`undefined` for none). */
export const kindOfKey = (pk: string): ItemKind | undefined =>
  (Object.keys(itemKinds) as ItemKind[]).find((kind) => globMatches(itemKinds[kind], pk));

/**
 * Synthesizes the app with this context; bundling is skipped (bundles are measured in bundles.test.ts, the
 * console's build in console.test.ts), and assets are not copied (the template names them all the same).
 */
export function synthStack(context: Record<string, unknown> = {}) {
  const { app, stack } = buildApp(
    new App({
      context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true, ...context },
    }),
  );
  return { app, stack, template: Template.fromStack(stack) };
}

/** The CloudFormation logical id prefix of each function (`test-settings` -> `TestSettingsFunction`). */
export const functionIdPrefix = (name: FunctionName): string =>
  `${name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Function`;

/** The role policies of the functions in a synthesized template, and the tables they are about. */
export class StackPolicies {
  /** The logical id of each table. */
  readonly tableIds: Readonly<Record<TableRole, string>>;

  constructor(private readonly template: Template) {
    const tables = Object.entries(template.findResources('AWS::DynamoDB::Table'));
    const main = tables.filter(([, table]) => table.Properties.StreamSpecification);
    const credentials = tables.filter(([, table]) => !table.Properties.StreamSpecification);
    if (main.length !== 1 || credentials.length !== 1) {
      throw new Error('the template has not one table with a stream and one without');
    }
    this.tableIds = { main: main[0]?.[0] as string, credentials: credentials[0]?.[0] as string };
  }

  /** Every statement of the policies attached to the function's role. */
  statementsOf(name: FunctionName): PolicyStatement[] {
    const functions = this.template.findResources('AWS::Lambda::Function');
    const [, fn] =
      Object.entries(functions).find(
        ([id]) => id.startsWith(functionIdPrefix(name)) && !id.includes('Logs'),
      ) ?? [];
    if (!fn) throw new Error(`no ${name} function in the template`);
    const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const policies = this.template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
    });
    return Object.values(policies).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
    );
  }

  /** Whether the function's role allows this authorization. */
  allows(name: FunctionName, authorization: Authorization): boolean {
    const statements = this.statementsOf(name).filter((s) => this.applies(s, authorization));
    if (statements.some((s) => s.Effect === 'Deny')) return false;
    return statements.some((s) => s.Effect === 'Allow');
  }

  /** The item kinds whose items the function may `action` on the table (each probed with one key). */
  kindsAllowed(name: FunctionName, action: string, table: TableRole = 'main'): ItemKind[] {
    return (Object.keys(sampleKeys) as ItemKind[]).filter((kind) =>
      this.allows(name, { action, table, resource: 'table', leadingKeys: [sampleKeys[kind]] }),
    );
  }

  private applies(statement: PolicyStatement, authorization: Authorization): boolean {
    const actions = [statement.Action].flat();
    if (!actions.some((pattern) => globMatches(pattern, authorization.action, 'i'))) return false;
    const tableId = this.tableIds[authorization.table ?? 'main'];
    const arn =
      authorization.resource === 'table' ? `${tableId}.Arn` : `${tableId}.Arn/${authorization.resource}`;
    const resources = [statement.Resource].flat().map(resolve);
    if (!resources.some((pattern) => globMatches(pattern, arn))) return false;
    return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, values]) =>
        conditionHolds(operator, key, [values].flat().map(String), authorization),
      ),
    );
  }
}

function conditionHolds(
  operator: string,
  key: string,
  patterns: readonly string[],
  authorization: Authorization,
): boolean {
  const values = conditionValues(key, authorization);
  if (operator === 'Null') return (values.length === 0) === (patterns[0] === 'true');
  const [set, test] = operator.includes(':')
    ? (operator.split(':') as [string, string])
    : [undefined, operator];
  const ifExists = test.endsWith('IfExists');
  const comparison = test.replace(/IfExists$/, '');
  const like = comparison === 'StringLike';
  if (!like && comparison !== 'StringEquals') throw new Error(`unknown condition operator ${operator}`);
  const matches = (value: string) =>
    patterns.some((pattern) => (like ? globMatches(pattern, value) : pattern === value));
  if (set === 'ForAllValues') return values.every(matches);
  if (set === 'ForAnyValue') return values.some(matches);
  if (key !== 'dynamodb:Select')
    throw new Error(`use ForAllValues or ForAnyValue with ${key}, not ${operator}`);
  const [value] = values;
  return value === undefined ? ifExists : matches(value);
}

/** The values of a condition key for this authorization (none: the request lacks the key). */
function conditionValues(key: string, authorization: Authorization): readonly string[] {
  switch (key) {
    case 'dynamodb:LeadingKeys':
      return authorization.leadingKeys;
    case 'dynamodb:Attributes':
      return authorization.attributes ?? [];
    case 'dynamodb:Select':
      return authorization.select === undefined ? [] : [authorization.select];
    default:
      throw new Error(`the evaluator does not know condition key ${key}`);
  }
}

/** A resource of the template as text: `Fn::GetAtt` becomes `<id>.<attribute>`, `Ref` `<id>`, joins joined. */
function resolve(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::GetAtt' in object) return (object['Fn::GetAtt'] as string[]).join('.');
  if ('Ref' in object) return String(object.Ref);
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(separator);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

function globMatches(pattern: string, value: string, flags = ''): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, flags).test(value);
}

type AttributeValue = { S?: string };
type Key = Record<string, AttributeValue>;

/**
 * The authorizations IAM makes for one DynamoDB request (the JSON of the wire protocol): one per request,
 * except transactions, whose actions are authorized one by one (a Put as PutItem, a ConditionCheck as
 * ConditionCheckItem). `tableOf` says which of the stack's tables a table name of the request is.
 */
export function authorizationsOf(
  operation: string,
  input: Record<string, unknown>,
  tableOf: (tableName: string) => TableRole = () => 'main',
): Authorization[] {
  return authorizationsOnTables(operation, input).map(({ tableName, ...authorization }) => ({
    ...authorization,
    table: tableOf(tableName),
  }));
}

function authorizationsOnTables(
  operation: string,
  input: Record<string, unknown>,
): (Authorization & { tableName: string })[] {
  const tableName = String(input.TableName);
  const pk = (key: Key | undefined): string[] => {
    const value = key?.[tableKeys.partitionKey]?.S;
    return value === undefined ? [] : [value];
  };
  const table = (): 'table' | `index/${string}` =>
    typeof input.IndexName === 'string' ? `index/${input.IndexName}` : 'table';
  const action = `dynamodb:${operation}`;
  switch (operation) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return [{ action, tableName, resource: 'table', leadingKeys: pk(input.Key as Key) }];
    case 'PutItem':
      return [{ action, tableName, resource: 'table', leadingKeys: pk(input.Item as Key) }];
    case 'Query':
      return [
        { action, tableName, resource: table(), leadingKeys: queriedPartition(input), ...reading(input) },
      ];
    case 'Scan':
      return [{ action, tableName, resource: table(), leadingKeys: [], ...reading(input) }];
    case 'BatchGetItem':
      return Object.entries(input.RequestItems as Record<string, { Keys: Key[] }>).map(
        ([name, { Keys }]) => ({
          action,
          tableName: name,
          resource: 'table',
          leadingKeys: Keys.flatMap(pk),
        }),
      );
    case 'BatchWriteItem':
      return Object.entries(
        input.RequestItems as Record<string, { PutRequest?: { Item: Key }; DeleteRequest?: { Key: Key } }[]>,
      ).map(([name, requests]) => ({
        action,
        tableName: name,
        resource: 'table',
        leadingKeys: requests.flatMap((r) => pk(r.PutRequest?.Item ?? r.DeleteRequest?.Key)),
      }));
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return (input.TransactItems as Record<string, { Item?: Key; Key?: Key; TableName: string }>[]).map(
        (item) => {
          const [kind, request] = Object.entries(item)[0] as [
            string,
            { Item?: Key; Key?: Key; TableName: string },
          ];
          const itemAction = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', Get: 'GetItem' }[
            kind
          ];
          return {
            action: `dynamodb:${itemAction ?? `${kind}Item`}`,
            tableName: request.TableName,
            resource: 'table' as const,
            leadingKeys: pk(request.Item ?? request.Key),
          };
        },
      );
    default:
      return [{ action, tableName, resource: 'table', leadingKeys: [] }];
  }
}

/** The partition key value a Query names (`<partition key> = :value`, first in its key condition). */
function queriedPartition(input: Record<string, unknown>): string[] {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  const partition =
    typeof input.IndexName === 'string'
      ? [tableKeys.byGuid, tableKeys.byKind].find((index) => index.indexName === input.IndexName)
          ?.partitionKey
      : tableKeys.partitionKey;
  for (const term of String(input.KeyConditionExpression).split(/\s+AND\s+/i)) {
    const [left, right] = term.split('=').map((side) => side.trim());
    if (left && right && (names[left] ?? left) === partition) {
      const value = values[right]?.S;
      return value === undefined ? [] : [value];
    }
  }
  throw new Error(`no partition key in ${String(input.KeyConditionExpression)}`);
}

/** What a Query or Scan names of the items it reads (`dynamodb:Attributes`), and its `dynamodb:Select`. */
function reading(input: Record<string, unknown>): { attributes: string[]; select: string } {
  return { attributes: attributesNamed(input), select: String(input.Select ?? 'ALL_ATTRIBUTES') };
}

/** Words of DynamoDB's expressions that are no attribute. */
const EXPRESSION_WORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'SET', 'REMOVE', 'ADD', 'DELETE']);

/**
 * The top-level attributes a request names in its expressions (`#name` resolved), as `dynamodb:Attributes` holds
 * them: of a path (`Address.City`, `list[0]`), its first name; values (`:v`) and functions (`size(...)`) are none.
 */
export function attributesNamed(input: Record<string, unknown>): string[] {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const expressions = [
    'ProjectionExpression',
    'KeyConditionExpression',
    'FilterExpression',
    'ConditionExpression',
    'UpdateExpression',
  ].flatMap((parameter) => (typeof input[parameter] === 'string' ? [input[parameter] as string] : []));
  const found = new Set<string>((input.AttributesToGet as string[] | undefined) ?? []);
  for (const expression of expressions) {
    for (const match of expression.matchAll(/[#:]?[A-Za-z_]\w*/g)) {
      const [token] = match;
      const before = expression[match.index - 1];
      const after = expression.slice(match.index + token.length).trimStart()[0];
      if (token.startsWith(':') || before === '.' || after === '(') continue;
      if (EXPRESSION_WORDS.has(token.toUpperCase())) continue;
      found.add(token.startsWith('#') ? (names[token] ?? token) : token);
    }
  }
  return [...found].sort();
}
