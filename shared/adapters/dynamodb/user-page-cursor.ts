/**
 * The cursor of GET /users: the last key of a page of the users listing, opaque to the caller (base64url of
 * its JSON). A cursor sent back is checked to be exactly such a key before it reaches DynamoDB.
 */
import { ValidationError } from '../../errors';
import { isUserPartitionKey, kindIndex } from './keys';
import { tableKeys } from './table';

export const encodeUserCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeUserCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // Exactly the key of the users index, with a user's values: anything else is not our cursor.
    const expected = [
      tableKeys.partitionKey,
      tableKeys.sortKey,
      tableKeys.byKind.partitionKey,
      tableKeys.byKind.sortKey,
    ];
    if (key && typeof key === 'object' && !Array.isArray(key)) {
      const record = key as Record<string, unknown>;
      const names = Object.keys(record).sort();
      const valid =
        JSON.stringify(names) === JSON.stringify([...expected].sort()) &&
        Object.values(record).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024) &&
        record[tableKeys.byKind.partitionKey] === kindIndex.users &&
        isUserPartitionKey(String(record[tableKeys.partitionKey]));
      if (valid) return record;
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('Invalid cursor', [
    { path: 'cursor', message: 'is not a cursor returned by GET /users' },
  ]);
}
