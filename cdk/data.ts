/**
 * The data of ad-sync: the one DynamoDB table (docs/data-model.md), with its stream, and the bind password in
 * Secrets Manager; both encrypted with the customer-managed key when one is given (landing-zone.ts), else
 * with AWS-managed keys.
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
  readonly secret: Secret;

  constructor(scope: Construct, id: string, { key }: { readonly key: IKey | undefined }) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableKeys.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      ...(key
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
        : { encryption: TableEncryption.AWS_MANAGED }),
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
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

    // Created without a value: the config API writes the password; nothing else ever does.
    this.secret = new Secret(this, 'BindPassword', {
      description: 'ad-sync: password of the AD bind account (written by PUT /config)',
      removalPolicy: RemovalPolicy.RETAIN,
      ...(key ? { encryptionKey: key } : {}),
    });
    (this.secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
  }
}
