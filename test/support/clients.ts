import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Client, ClientOptions } from 'ldapts';
import { inject } from 'vitest';
import { localDynamoDbClient } from '../../local/dynamodb-local';
import { ldapsClientFor } from './samba-dc';

/** An LDAPS client that verifies the DC's certificate against the test CA and host name. */
export function ldapsClient(options: Partial<ClientOptions> = {}): Client {
  return ldapsClientFor(inject('directory'), options);
}

/** A DynamoDB client for the DynamoDB Local of this test run. */
export function dynamoDbClient(): DynamoDBClient {
  return localDynamoDbClient(inject('dynamodb').endpoint);
}
