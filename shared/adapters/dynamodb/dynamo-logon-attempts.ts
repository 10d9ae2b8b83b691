/**
 * The failed logons of each user name in a row (docs/data-model.md: the `logon` item kind), on the single
 * DynamoDB table: one item per lower-cased user name holding `failures` and `expiresAt` (the table's TTL
 * attribute, also checked on every read: TTL deletes late). Every change is one conditional write, so
 * attempts at the same moment are counted exactly and can never be admitted past `maxFailures` together.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LockoutPolicy, LogonAdmission, LogonAttempts } from '../../ports/logon-attempts';
import { conditionHeld, documentClient, epochSeconds, SYSTEM_WALL_CLOCK, type WallClock } from './documents';
import { logonAttemptsKey } from './keys';

/** How often an admission is retried when another attempt created or expired the count in between. */
const RACES = 5;

export class DynamoLogonAttempts implements LogonAttempts {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: WallClock = SYSTEM_WALL_CLOCK,
  ) {
    this.documents = documentClient(client);
  }

  async admit(userName: string, { maxFailures, lockoutSeconds }: LockoutPolicy): Promise<LogonAdmission> {
    const key = logonAttemptsKey(userName);
    for (let race = 0; race < RACES; race += 1) {
      const now = epochSeconds(this.clock);
      const attempt = {
        ':now': now,
        ':expiresAt': now + lockoutSeconds,
        ':at': this.clock.now().toISOString(),
      };
      try {
        // A count that is running and below the limit: one more, and it lasts lockoutSeconds from now.
        const { Attributes } = await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD failures :one SET expiresAt = :expiresAt, lastAttemptAt = :at',
            ConditionExpression: 'expiresAt > :now AND failures < :max',
            ExpressionAttributeValues: { ...attempt, ':one': 1, ':max': maxFailures },
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { admitted: true, failures: Number(Attributes?.failures) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const found = error.Item ? unmarshall(error.Item) : undefined;
        const expiresAt = Number(found?.expiresAt);
        // Running, so at the limit: locked out until it expires.
        if (found && expiresAt > now) return { admitted: false, retryAfterSeconds: expiresAt - now };
      }
      // No count, or one that has expired: this attempt starts a new one (unless another just did).
      const started = await conditionHeld(
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key, failures: 1, expiresAt: attempt[':expiresAt'], lastAttemptAt: attempt[':at'] },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        ),
      );
      if (started) return { admitted: true, failures: 1 };
    }
    throw new Error(`the logon count of ${userName} kept changing under ${RACES} attempts to update it`);
  }

  async withdraw(userName: string): Promise<void> {
    // Gone (a success cleared it) or already at zero: nothing to take back.
    await conditionHeld(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: logonAttemptsKey(userName),
          UpdateExpression: 'ADD failures :minusOne',
          ConditionExpression: 'failures > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      ),
    );
  }

  async holdBind(userName: string, seconds: number): Promise<boolean> {
    const now = epochSeconds(this.clock);
    return conditionHeld(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: logonAttemptsKey(userName),
          UpdateExpression: 'SET bindHeldUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(bindHeldUntil) OR bindHeldUntil <= :now)',
          ExpressionAttributeValues: { ':until': now + seconds, ':now': now },
        }),
      ),
    );
  }

  async releaseBind(userName: string): Promise<void> {
    // Gone already (a success cleared the count): nothing to release, and nothing is created.
    await conditionHeld(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: logonAttemptsKey(userName),
          UpdateExpression: 'REMOVE bindHeldUntil',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  async clear(userName: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({ TableName: this.tableName, Key: logonAttemptsKey(userName) }),
    );
  }
}
