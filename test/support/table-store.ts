/**
 * The users and runs of one table as the tests see them: the user store (the sync's half and the admin
 * routes' half), the run store, and what only tests do: read every user at once, read a user's archive
 * folder, and archive messages as the archive application does.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, kindQuery, queryAll } from '../../shared/adapters/dynamodb/documents';
import { DynamoArchiveFolders } from '../../shared/adapters/dynamodb/dynamo-archive-folders';
import { DynamoRunStore } from '../../shared/adapters/dynamodb/dynamo-run-store';
import { DynamoUserStore } from '../../shared/adapters/dynamodb/dynamo-user-store';
import { archiveFolderKey, kindIndex } from '../../shared/adapters/dynamodb/keys';
import { tableKeys } from '../../shared/adapters/dynamodb/table';
import { fromUserItem } from '../../shared/adapters/dynamodb/user-items';
import type { ArchiveFolder } from '../../shared/domain/archive-folder';
import type { Report, RunSummary } from '../../shared/domain/report';
import type { SuccessMark } from '../../shared/domain/schedule-health';
import type { User } from '../../shared/domain/user';
import type { RunStore } from '../../shared/ports/run-store';

export class TestTableStore extends DynamoUserStore implements RunStore {
  private readonly table: string;
  private readonly testDocuments: DynamoDBDocumentClient;
  private readonly archiveFolders: DynamoArchiveFolders;
  private readonly runs: DynamoRunStore;

  constructor(client: DynamoDBClient, tableName: string) {
    super(client, tableName);
    this.table = tableName;
    this.testDocuments = documentClient(client);
    this.archiveFolders = new DynamoArchiveFolders(this.testDocuments, tableName);
    this.runs = new DynamoRunStore(client, tableName);
  }

  /** Every user, in user-name order. */
  async listUsers(): Promise<User[]> {
    return (await queryAll(this.testDocuments, kindQuery(this.table, kindIndex.users))).map(fromUserItem);
  }

  /** The user's own archive folder, else the last one kept for an earlier owner of the name. */
  async getArchiveFolder(userName: string): Promise<ArchiveFolder | undefined> {
    const folders = await this.archiveFolders.foldersOf(userName);
    return folders.find((folder) => !folder.ownerDeletedAt) ?? folders.at(-1);
  }

  /**
   * What the archive application does when it archives a user's messages: creates the user's archive
   * folder on first use and counts the messages in it. The sync never creates folders; it only removes an
   * empty one with its user, keeps one that holds messages, and moves folders along with a rename.
   */
  async addArchivedMessages(userName: string, count: number): Promise<void> {
    const folder = (await this.archiveFolders.foldersOf(userName)).find((item) => !item.ownerDeletedAt);
    const folderId = folder ? folder.folderId : randomUUID();
    await this.testDocuments.send(
      new UpdateCommand({
        TableName: this.table,
        Key: archiveFolderKey(folderId),
        UpdateExpression:
          'SET folderId = :id, ownerUserName = :owner, #kind = :archives, #name = :name, messageCount = if_not_exists(messageCount, :zero) + :count',
        ExpressionAttributeNames: {
          '#kind': tableKeys.byKind.partitionKey,
          '#name': tableKeys.byKind.sortKey,
        },
        ExpressionAttributeValues: {
          ':id': folderId,
          ':owner': userName,
          ':archives': kindIndex.archives,
          ':name': userName.toLowerCase(),
          ':zero': 0,
          ':count': count,
        },
      }),
    );
  }

  recordRun(report: Report): Promise<void> {
    return this.runs.recordRun(report);
  }

  recordProgress(report: Report): Promise<void> {
    return this.runs.recordProgress(report);
  }

  getRun(runId: string): Promise<Report | undefined> {
    return this.runs.getRun(runId);
  }

  listRuns(limit: number): Promise<RunSummary[]> {
    return this.runs.listRuns(limit);
  }

  lastSuccess(): Promise<SuccessMark | undefined> {
    return this.runs.lastSuccess();
  }

  oldestRun(): Promise<RunSummary | undefined> {
    return this.runs.oldestRun();
  }
}
