/**
 * The data of ad-sync: the one DynamoDB table (docs/data-model.md), with its stream; the credentials table of
 * local users' password hashes, without one; and the bind password in Secrets Manager. All encrypted with the
 * customer-managed key when one is given (landing-zone.ts), else with AWS-managed keys.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tableKeys, tableStream } from '../shared/adapters/dynamodb/table';
import { StackPart } from './stack-part';

export class AdSyncData extends StackPart {
  readonly table: Table;
  /** Local users' password hashes: no stream, no index (table.ts credentialsTableDefinition). */
  readonly credentials: Table;
  readonly secret: Secret;

  constructor(scope: Construct, id: string, { key }: { readonly key: IKey | undefined }) {
    super(scope, id);
    const kept = {
      partitionKey: { name: tableKeys.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      ...(key
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
        : { encryption: TableEncryption.AWS_MANAGED }),
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;
    this.table = new Table(this, 'Table', {
      ...kept,
      timeToLiveAttribute: 'expiresAt',
      // Every write with the item before and after it (tableStream, the local table's too). Two readers: the
      // sync function's mapping (handoff inserts start a run's follow-up invocation) and the change-events pipe
      // (events.ts: a delete's event is made of the removed item's old image).
      stream: StreamViewType[tableStream.StreamViewType],
    });
    for (const index of [tableKeys.byGuid, tableKeys.byKind]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    // No stream: every reader of a table's stream (GetRecords takes no key condition) would see the hashes. The
    // users function writes the items, the logon function reads one by key (functions.ts); nothing else may.
    // The keys of credentialsTableDefinition (table.ts), as the local stack and the tests create it.
    this.credentials = new Table(this, 'Credentials', kept);

    // Created without a value: the config API writes the password; nothing else ever does.
    this.secret = new Secret(this, 'BindPassword', {
      description: 'ad-sync: password of the AD bind account (written by PUT /config)',
      removalPolicy: RemovalPolicy.RETAIN,
      ...(key ? { encryptionKey: key } : {}),
    });
    (this.secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
  }
}
