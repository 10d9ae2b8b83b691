import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Client, type ClientOptions } from 'ldapts';
import { inject } from 'vitest';
import { localDynamoDbClient } from '../../scripts/dynamodb-local';

/** An LDAPS client that verifies the DC's certificate against the test CA and host name. */
export function ldapsClient(options: Partial<ClientOptions> = {}): Client {
  const directory = inject('directory');
  return new Client({
    url: directory.ldapsUrl,
    tlsOptions: { ca: [directory.caCertificate], servername: directory.tlsServerName },
    connectTimeout: 5_000,
    timeout: 10_000,
    ...options,
  });
}

/** A DynamoDB client for the DynamoDB Local of this test run. */
export function dynamoDbClient(): DynamoDBClient {
  return localDynamoDbClient(inject('dynamodb').endpoint);
}
