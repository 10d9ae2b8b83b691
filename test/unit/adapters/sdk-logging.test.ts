import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { withoutSdkLogging } from '../../../shared/adapters/dynamodb/documents';

const middleware = (client: DynamoDBClient) => client.middlewareStack.identify().join('\n');

describe('withoutSdkLogging', () => {
  it("takes the SDK's logger middleware out of a client built without a logger, and nothing else", () => {
    const plain = new DynamoDBClient({ region: 'eu-central-1' });
    expect(middleware(plain)).toContain('loggerMiddleware');
    const quiet = withoutSdkLogging(new DynamoDBClient({ region: 'eu-central-1' }));
    expect(middleware(quiet)).not.toContain('loggerMiddleware');
    expect(quiet.middlewareStack.identify()).toHaveLength(plain.middlewareStack.identify().length - 1);
  });
});
