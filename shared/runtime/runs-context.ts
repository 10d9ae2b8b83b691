/**
 * The runs function's dependencies, built from only the adapters it uses (one module per function, so
 * that its bundle carries nothing else). See app-context.ts for the sync's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoRunStore } from '../adapters/dynamodb/dynamo-run-store';
import type { RunStore } from '../ports/run-store';
import { type Environment, loadEnvironment } from './environment';

/** The run history. */
export function runsContext(env: Environment = loadEnvironment()): { readonly runs: RunStore } {
  return { runs: new DynamoRunStore(new DynamoDBClient({}), env.TABLE_NAME) };
}
