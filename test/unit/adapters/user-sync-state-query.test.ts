/**
 * The watcher's objectGUID lookup as DynamoDB receives it (DynamoUserStore.syncStatesByGuid): a Query of the guid
 * index that names the sync state's attributes only, with Select SPECIFIC_ATTRIBUTES; and so a request the
 * watcher's role in the synthesized stack allows (test/support/iam-policy.ts weighs `dynamodb:Attributes` and
 * `dynamodb:Select` as AWS documents them), where the same query without its projection, or naming one attribute
 * more, is refused.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoUserStore } from '../../../shared/adapters/dynamodb/dynamo-user-store';
import { guidIndexKey } from '../../../shared/adapters/dynamodb/keys';
import { tableKeys } from '../../../shared/adapters/dynamodb/table';
import { attributesNamed, authorizationsOf, StackPolicies, synthStack } from '../../support/iam-policy';
import { directoryEntry } from '../../support/in-memory';

const TABLE = 'ad-sync-users';
const GUID = directoryEntry(1).objectGuid;
const documents = mockClient(DynamoDBDocumentClient);
const store = new DynamoUserStore(new DynamoDBClient({ region: 'eu-central-1' }), TABLE);

beforeEach(() => {
  documents.reset();
});

/** The Query the store sent, as it goes over the wire (values marshalled), which is what IAM authorizes. */
async function sentQuery(): Promise<QueryCommandInput & Record<string, unknown>> {
  documents.on(QueryCommand).resolves({ Items: [] });
  await store.syncStatesByGuid(GUID);
  const [call, ...more] = documents.commandCalls(QueryCommand);
  expect(more).toEqual([]);
  const input = call?.args[0].input as QueryCommandInput;
  return { ...input, ExpressionAttributeValues: marshall(input.ExpressionAttributeValues ?? {}) };
}

describe('DynamoUserStore.syncStatesByGuid', () => {
  it("queries the guid index for the users' sync state only: its projection, Select SPECIFIC_ATTRIBUTES", async () => {
    const query = await sentQuery();
    expect(query).toMatchObject({
      TableName: TABLE,
      IndexName: tableKeys.byGuid.indexName,
      KeyConditionExpression: '#guid = :guid',
      Select: 'SPECIFIC_ATTRIBUTES',
      ExpressionAttributeValues: { ':guid': { S: guidIndexKey(GUID).gsi1pk } },
    });
    const projection = { ...query, KeyConditionExpression: undefined };
    expect(attributesNamed(projection)).toEqual(['authentication', 'objectGuid', 'suspendedAt']);
    // With the key condition's: every attribute the request names (IAM's dynamodb:Attributes).
    expect(attributesNamed(query)).toEqual(['authentication', 'gsi1pk', 'objectGuid', 'suspendedAt']);
  });

  it('answers the sync states of every page of the query', async () => {
    const state = { authentication: 'directoryServices', objectGuid: GUID };
    const next = { pk: 'USER#alice', sk: 'USER', gsi1pk: guidIndexKey(GUID).gsi1pk, gsi1sk: 'USER' };
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [state], LastEvaluatedKey: next })
      .resolves({ Items: [{ authentication: 'local', objectGuid: GUID }] });
    expect(await store.syncStatesByGuid(GUID)).toEqual([
      state,
      { authentication: 'local', objectGuid: GUID },
    ]);
    expect(documents.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual(next);
  });

  it("is a request the watcher's role allows; without its projection, or naming one attribute more, refused", async () => {
    const policies = new StackPolicies(synthStack().template);
    const allowed = (input: Record<string, unknown>) =>
      authorizationsOf('Query', input).every((authorization) => policies.allows('watch', authorization));
    const query = await sentQuery();
    expect(allowed(query)).toBe(true);
    // The whole item: no projection (Select is ALL_ATTRIBUTES unless said), or all the index projects.
    const { ProjectionExpression: _, Select: __, ...whole } = query;
    expect(allowed(whole)).toBe(false);
    expect(allowed({ ...whole, Select: 'ALL_PROJECTED_ATTRIBUTES' })).toBe(false);
    expect(allowed({ ...query, Select: 'ALL_ATTRIBUTES' })).toBe(false);
    for (const attribute of ['fullName', 'emailAddresses', 'privileges', 'groups', 'lastChange']) {
      const more = { ...query, ProjectionExpression: `${query.ProjectionExpression}, ${attribute}` };
      expect(allowed(more), attribute).toBe(false);
    }
    // Nor does the filter of a query escape the list: it names attributes too.
    expect(allowed({ ...query, FilterExpression: 'begins_with(fullName, :a)' })).toBe(false);
  });
});
