/**
 * Local users' password hashes (docs/data-model.md: the `password` item kind), read for a logon only. The
 * users function writes them in the credentials table (dynamo-user-store.ts); this reads one item, by key, and
 * nothing else. A local user created before that table existed has no item there, and its hash is still an
 * item of the one table: read there then, where no write ever puts a hash again.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PasswordHashes } from '../../ports/password-hashes';
import { documentClient, getDocument } from './documents';
import { passwordKey } from './keys';

type HashItem = { passwordHash?: unknown };

export class DynamoPasswordHashes implements PasswordHashes {
  private readonly documents: DynamoDBDocumentClient;

  /** `tables`: the credentials table, and the one table where hashes saved before it are. */
  constructor(
    client: DynamoDBClient,
    private readonly tables: { readonly credentials: string; readonly earlier: string },
  ) {
    this.documents = documentClient(client);
  }

  async getPasswordHash(userName: string): Promise<string | undefined> {
    const key = passwordKey(userName);
    // Every local user created since has an item here, with or without a hash: an earlier one is never read
    // for a name taken again.
    const item = await getDocument<HashItem>(this.documents, this.tables.credentials, key);
    const hash = item ?? (await getDocument<HashItem>(this.documents, this.tables.earlier, key));
    return typeof hash?.passwordHash === 'string' ? hash.passwordHash : undefined;
  }
}
