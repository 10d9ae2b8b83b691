/**
 * Local users' password hashes (docs/data-model.md: the `password` item kind), read for a logon only. The
 * users function writes them (dynamo-user-store.ts); this reads one item, by key, and nothing else.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PasswordHashes } from '../../ports/password-hashes';
import { documentClient, getDocument } from './documents';
import { passwordKey } from './keys';

export class DynamoPasswordHashes implements PasswordHashes {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClient(client);
  }

  async getPasswordHash(userName: string): Promise<string | undefined> {
    const item = await getDocument<{ passwordHash?: unknown }>(
      this.documents,
      this.tableName,
      passwordKey(userName),
    );
    return typeof item?.passwordHash === 'string' ? item.passwordHash : undefined;
  }
}
