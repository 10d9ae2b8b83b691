/**
 * The test DC's provisioned and seeded folder, kept as a template in the cache ($ADSYNC_CACHE_DIR or
 * ~/.cache/ad-sync, as DynamoDB Local's jar is): provisioning and seeding take 5 s on an idle machine, 15 to
 * 20 s while the other lanes start, for a result that depends only on what went into it. Each run copies the
 * template into its own throwaway folder and gives the accounts new passwords there; the first run on a machine
 * (or after any input changed: the fixtures, the provisioning code, Samba's version, the host) provisions it.
 *
 * Only the configuration file names the folder (checked: `grep -r` finds its path in `etc/smb.conf` alone), so
 * a copy is the template with that path replaced.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultCacheDir } from '../../local/dynamodb-local';

const run = promisify(execFile);

/** Written last into a finished template: where it was provisioned (the path its smb.conf names). */
const PROVISIONED_AT = 'provisioned-at';

/**
 * A digest of everything the template depends on: `inputs` (the options, the fixture and LDIF files' paths
 * whose contents count), the provisioning code, the Samba version and this machine's name (the DC is named
 * after it).
 */
async function templateKey(inputs: Record<string, unknown>, files: readonly string[]): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(inputs)).update(hostname());
  for (const file of [
    ...files,
    new URL('samba-dc.ts', import.meta.url),
    new URL('samba-dc-template.ts', import.meta.url),
  ]) {
    hash.update(await readFile(file));
  }
  hash.update((await run('samba', ['-V'])).stdout);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Fills `folder` (empty) with a copy of the template for these inputs, made first with `provisionInto` (which
 * provisions and seeds the folder it is given) when the cache has none.
 */
export async function copyOfTemplate(
  folder: string,
  inputs: Record<string, unknown>,
  files: readonly string[],
  provisionInto: (folder: string) => Promise<unknown>,
  log: (line: string) => void,
): Promise<void> {
  const cacheDir = defaultCacheDir();
  const template = join(cacheDir, `test-dc-${await templateKey(inputs, files)}`);
  if (!existsSync(join(template, PROVISIONED_AT))) {
    await mkdir(cacheDir, { recursive: true });
    const building = `${template}.building-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(building);
      await provisionInto(building);
      await writeFile(join(building, PROVISIONED_AT), building);
      // A rename is atomic: another run sees the finished template or none (and keeps its own if it lost).
      await rename(building, template).catch(() => {});
      log(`kept the provisioned directory as a template in ${template}`);
    } finally {
      await rm(building, { recursive: true, force: true });
    }
  }
  await run('cp', ['-a', `${template}/.`, folder]);
  const provisionedAt = (await readFile(join(template, PROVISIONED_AT), 'utf8')).trim();
  const config = join(folder, 'etc', 'smb.conf');
  await writeFile(config, (await readFile(config, 'utf8')).replaceAll(provisionedAt, folder));
  await rm(join(folder, PROVISIONED_AT));
}
