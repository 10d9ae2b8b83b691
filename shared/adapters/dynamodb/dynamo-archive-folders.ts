/**
 * The archive folders of the table (keys.ts: archiveFolderKey; listed by owner in the kind index), as the
 * sync touches them: it reads a user's folders and applies what the archive-folder rule decides
 * (domain/archive-folder.ts) when it deletes or renames the user.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type ArchiveFolder,
  type FolderChange,
  folderChanges,
  type OwnerChange,
} from '../../domain/archive-folder';
import { type Item, kindQuery, queryAll } from './documents';
import { archiveFolderKey, kindIndex } from './keys';
import { tableKeys } from './table';

export class DynamoArchiveFolders {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The folders listed under this owner name: the owner's own, and any kept for an earlier owner of the name. */
  async foldersOf(userName: string): Promise<ArchiveFolder[]> {
    const items = await queryAll(
      this.documents,
      kindQuery(this.tableName, kindIndex.archives, userName.toLowerCase()),
    );
    return items.map(toFolder);
  }

  /** Reads the owner's folders and applies what the rule decides for them after the change of the owner. */
  async followOwner(owner: OwnerChange, now: string): Promise<void> {
    for (const change of folderChanges(await this.foldersOf(owner.userName), owner, now)) {
      await this.apply(change);
    }
  }

  private async apply(change: FolderChange): Promise<void> {
    const Key = archiveFolderKey(change.folderId);
    switch (change.action) {
      case 'remove':
        try {
          // Only while it is still empty: messages archived since the folder was read keep it.
          await this.documents.send(
            new DeleteCommand({
              TableName: this.tableName,
              Key,
              ConditionExpression: 'attribute_not_exists(pk) OR messageCount = :zero',
              ExpressionAttributeValues: { ':zero': 0 },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          await this.apply(change.otherwise);
        }
        return;
      case 'keep':
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET ownerDeletedAt = :now',
            ExpressionAttributeValues: { ':now': change.ownerDeletedAt },
          }),
        );
        return;
      case 'move':
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET ownerUserName = :owner, #name = :name',
            ExpressionAttributeNames: { '#name': tableKeys.byKind.sortKey },
            ExpressionAttributeValues: {
              ':owner': change.ownerUserName,
              ':name': change.ownerUserName.toLowerCase(),
            },
          }),
        );
        return;
    }
  }
}

function toFolder(item: Item): ArchiveFolder {
  return {
    folderId: String(item.folderId),
    ownerUserName: String(item.ownerUserName),
    messageCount: Number(item.messageCount ?? 0),
    ...(item.ownerDeletedAt ? { ownerDeletedAt: String(item.ownerDeletedAt) } : {}),
  };
}
