import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** The TypeScript files that build table keys: the stores, the functions, the CDK stack, the benchmark. */
async function sourcesBuildingKeys(): Promise<string[]> {
  const files: string[] = [];
  for (const folder of ['shared', 'functions', 'cdk']) {
    for (const entry of await readdir(join(ROOT, folder), { recursive: true })) {
      if (entry.endsWith('.ts')) files.push(join(ROOT, folder, entry));
    }
  }
  for (const entry of await readdir(join(ROOT, 'tools'))) {
    if (/^bench.*\.ts$/.test(entry)) files.push(join(ROOT, 'tools', entry));
  }
  return files;
}

/** A string literal that starts a partition key (`'USER#'`, `` `RUN#${id}` ``) or is a fixed key value. */
const KEY_LITERAL = new RegExp(
  [
    String.raw`['"\x60](USER|PASSWORD|ARCHIVE|RUN|PREVIEW|HANDOFF|SCHEDULE|GUID|LOGON|CHANGES|EXCLUDED)#`,
    String.raw`['"\x60](CONFIG|CURRENT|LOCK|CURSOR|CHECKPOINT|SYNC|USER|USERS|RUNS|ARCHIVE|ARCHIVES|REPORT|HANDOFF|OCCURRENCE|PASSWORD|LOGON)['"\x60]`,
  ].join('|'),
);

describe('table keys', () => {
  it('are built in shared/adapters/dynamodb/keys.ts only: no key literal in the stores, the stack or the benchmark', async () => {
    const offending: string[] = [];
    for (const file of await sourcesBuildingKeys()) {
      if (file.endsWith(join('adapters', 'dynamodb', 'keys.ts'))) continue;
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (KEY_LITERAL.test(line)) offending.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offending).toEqual([]);
  });
});
