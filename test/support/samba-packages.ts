/**
 * The Samba packages the test DC needs (samba-dc.ts): installed when missing and we may (root on Debian),
 * otherwise named in the error.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Debian packages the tests need (Samba AD DC, ldb tools, Java), one list shared with .ci/run. */
const DEBIAN_PACKAGES_FILE = fileURLToPath(new URL('../../tools/debian-packages.txt', import.meta.url));
const debianPackages = async (): Promise<string[]> =>
  (await readFile(DEBIAN_PACKAGES_FILE, 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
const REQUIRED_COMMANDS = ['samba', 'samba-tool', 'ldbadd', 'ldbmodify'] as const;

const commandExists = (name: string): boolean =>
  ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')].some((dir) =>
    existsSync(join(dir, name)),
  );

/** Installs Samba when it is missing and we may (root on Debian); otherwise says exactly what to install. */
export async function ensureSambaInstalled(log: (line: string) => void = () => {}): Promise<void> {
  const missing = REQUIRED_COMMANDS.filter((c) => !commandExists(c));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const isDebian = existsSync('/etc/debian_version');
  const packages = await debianPackages();
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (!isRoot || !isDebian) {
    throw new Error(
      `The integration tests need a Samba AD DC, and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. ` +
        `On Debian or Ubuntu install it as root: ${command}`,
    );
  }
  log(`installing Samba (${missing.join(', ')} missing)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env, maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
}
