/**
 * A real Active Directory for the tests: a Samba AD DC provisioned into a throwaway folder and served on
 * a loopback address. Samba binds the fixed LDAP ports (389, 636, 3268, 3269), so one DC runs per address at
 * a time: 127.0.0.1 by default, another loopback address (127.0.0.2, added to `lo` when missing, as root)
 * for a second DC beside it (the integration tests run in two lanes, each on a DC of its own).
 *
 * Steps: check packages (install them when root on Debian) -> provision -> extend the schema -> seed the
 * fixture LDIF and the service account's password offline (`ldbadd` on sam.ldb is much faster than LDAP
 * adds) -> start `samba` -> wait until LDAPS answers with the DC's certificate -> hand out connection facts.
 * The test lanes' throwaway DC is a copy of a template provisioned so once per machine (samba-dc-template.ts),
 * with new passwords.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { promisify } from 'node:util';
import { Client, type ClientOptions } from 'ldapts';
import { fixtureFiles } from './fixture-directory';
import { copyOfTemplate } from './samba-dc-template';
import { ensureSambaInstalled } from './samba-packages';

const run = promisify(execFile);

const REALM = 'COMPANY.LOCAL';
const NETBIOS_DOMAIN = 'COMPANY';
export const BASE_DN = 'DC=company,DC=local';
const SERVICE_ACCOUNT_DN = `CN=svc-sync,OU=Service Accounts,${BASE_DN}`;
const ADMINISTRATOR_DN = `CN=Administrator,CN=Users,${BASE_DN}`;
const DIR_PREFIX = 'ad-sync-dc-';
export const DEFAULT_DC_HOST = '127.0.0.1';
const LDAP_PORTS = [389, 636, 3268, 3269] as const;

/** What a test needs to reach the DC: serializable, handed over with vitest's `provide`. */
export interface DirectoryConnection {
  /** The loopback address the DC listens on. */
  readonly host: string;
  readonly ldapsUrl: string;
  readonly ldapUrl: string;
  readonly caCertificate: string;
  readonly tlsServerName: string;
  readonly baseDn: string;
  readonly domain: string;
  readonly serviceAccount: { readonly upn: string; readonly dn: string; readonly password: string };
  readonly administrator: { readonly upn: string; readonly password: string };
}

/**
 * The connection settings (docs/contract.md#configuration) that reach this DC: LDAPS to its address, its CA
 * and name, the service account.
 */
export function connectionSettings(connection: DirectoryConnection) {
  return {
    servers: [connection.host],
    domain: connection.domain,
    caCertificate: connection.caCertificate,
    tlsServerName: connection.tlsServerName,
    username: connection.serviceAccount.upn,
  };
}

/** An LDAPS client for the DC that verifies its certificate against the test CA and host name. */
export function ldapsClientFor(
  connection: DirectoryConnection,
  options: Partial<ClientOptions> = {},
): Client {
  return new Client({
    url: connection.ldapsUrl,
    tlsOptions: { ca: [connection.caCertificate], servername: connection.tlsServerName },
    connectTimeout: 5_000,
    timeout: 10_000,
    ...options,
  });
}

export interface SambaDc {
  readonly connection: DirectoryConnection;
  readonly folder: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A password that meets AD's default complexity rules, new on every run. */
const newPassword = (): string => `${randomBytes(15).toString('base64url')}aA1!`;

/** The LDIF value of `unicodePwd`: the quoted password in UTF-16LE, base64-encoded. */
const unicodePwd = (password: string): string => Buffer.from(`"${password}"`, 'utf16le').toString('base64');

const isListening = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The prefix of the temporary folders of the DCs on one address. */
const folderPrefix = (host: string): string => `${DIR_PREFIX}${host}-`;

/**
 * Stops DCs on this address left by runs that were killed before their teardown (their folder still holds
 * samba.pid). A DC on another address is another lane's, and is left alone.
 */
async function stopStaleDcs(log: (line: string) => void, host: string, keptFolder?: string): Promise<void> {
  const temporary = (await readdir(tmpdir()))
    .filter((name) => name.startsWith(folderPrefix(host)))
    .map((name) => join(tmpdir(), name));
  for (const folder of [...temporary, ...(keptFolder ? [keptFolder] : [])]) {
    const pid = Number(await readFile(join(folder, 'samba.pid'), 'utf8').catch(() => ''));
    if (pid > 0 && isAlive(pid)) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (!cmdline.includes(folder)) continue;
      log(`stopping a Samba DC left by an earlier run (pid ${pid})`);
      await stopProcess(pid);
    }
    if (folder !== keptFolder) await rm(folder, { recursive: true, force: true });
  }
}

async function stopProcess(pid: number, graceMs = 5_000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(20);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once a TLS handshake with the DC succeeds against its own CA and host name. */
async function waitForLdaps(
  folder: string,
  host: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ ca: string; servername: string }> {
  const caPath = join(folder, 'private', 'tls', 'ca.pem');
  const certPath = join(folder, 'private', 'tls', 'cert.pem');
  const deadline = Date.now() + timeoutMs;
  let lastError = 'the CA certificate was not written';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await readFile(join(folder, 'samba.log'), 'utf8').catch(() => '');
      throw new Error(
        `samba exited (${child.exitCode ?? child.signalCode}) before LDAPS answered:\n${log.slice(-3000)}`,
      );
    }
    if (existsSync(caPath) && existsSync(certPath)) {
      const ca = await readFile(caPath, 'utf8');
      // Samba's self-signed host certificate names the DC in its CN only (no subjectAltName).
      const certificate = new X509Certificate(await readFile(certPath));
      const servername = /CN=([^\n,]+)/.exec(certificate.subject)?.[1] ?? '';
      const error = await new Promise<Error | undefined>((resolve) => {
        const socket = connectTls({ host, port: 636, ca, servername, timeout: 1_000 }, () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.once('error', resolve);
        socket.once('timeout', () => {
          socket.destroy();
          resolve(new Error('TLS handshake timed out'));
        });
      });
      if (!error) return { ca, servername };
      lastError = error.message;
    }
    await sleep(200);
  }
  throw new Error(`LDAPS on ${host}:636 did not answer within ${timeoutMs} ms: ${lastError}`);
}

interface Credentials {
  readonly adminPassword: string;
  readonly servicePassword: string;
}

/** Provisions a domain into `folder` and seeds it offline: schema extension, fixture LDIF, extra LDIF. */
async function provision(
  folder: string,
  {
    extraLdif = [],
    backendStore = 'tdb',
    host = DEFAULT_DC_HOST,
  }: Pick<SambaDcOptions, 'extraLdif' | 'backendStore' | 'host'>,
  log: (line: string) => void,
): Promise<Credentials> {
  const config = join(folder, 'etc', 'smb.conf');
  const samLdb = join(folder, 'private', 'sam.ldb');
  const credentials = { adminPassword: newPassword(), servicePassword: newPassword() };
  const started = Date.now();
  await run('samba-tool', [
    'domain',
    'provision',
    `--realm=${REALM}`,
    `--domain=${NETBIOS_DOMAIN}`,
    '--server-role=dc',
    '--dns-backend=NONE',
    `--backend-store=${backendStore}`,
    `--adminpass=${credentials.adminPassword}`,
    `--targetdir=${folder}`,
    `--host-ip=${host}`,
    // This address only: a DC on another loopback address may run beside it.
    '--option=bind interfaces only = yes',
    `--option=interfaces = ${host}/8`,
    // Its own pid files: by default they are in /run/samba, where a second DC would find the first's and exit.
    `--option=pid directory = ${folder}`,
    // LDAP is all the tests use; no SMB, Kerberos, DNS or replication services and ports.
    '--option=server services = ldap',
    `--option=log file = ${join(folder, 'samba.log')}`,
  ]);
  log(`provisioned ${REALM} in ${Date.now() - started} ms`);

  // msExchHideFromAddressLists is Exchange schema, absent from Samba's. Two runs: a transaction cannot use
  // an attribute it has just added.
  const ldb = ['-H', samLdb, `--configfile=${config}`];
  const schemaUpdate = '--option=dsdb:schema update allowed=true';
  await run('ldbadd', [...ldb, schemaUpdate, fixtureFiles.schemaAttribute]);
  await run('ldbmodify', [...ldb, schemaUpdate, fixtureFiles.schemaMailRecipient]);

  const seeded = Date.now();
  // batch_mode: one transaction with no per-entry sub-transaction (a failed add aborts the file). Without it
  // every add costs more as the directory grows: 10,000 users took minutes, 100,000 did not finish in an hour.
  for (const file of [fixtureFiles.directory, ...extraLdif]) {
    await run('ldbadd', [...ldb, '-o', 'batch_mode:1', file], { maxBuffer: 64 * 1024 * 1024 });
  }
  await setPasswords(folder, { [SERVICE_ACCOUNT_DN]: credentials.servicePassword });
  log(`seeded the directory in ${Date.now() - seeded} ms`);
  return credentials;
}

/** Sets the accounts' passwords (by DN) offline, in the DC's sam.ldb. */
async function setPasswords(folder: string, passwords: Record<string, string>): Promise<void> {
  const passwordLdif = join(folder, 'passwords.ldif');
  await writeFile(
    passwordLdif,
    Object.entries(passwords)
      .map(([dn, password]) => {
        const value = unicodePwd(password);
        return `dn: ${dn}\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: ${value}\n-\n`;
      })
      .join('\n'),
    { mode: 0o600 },
  );
  const ldb = ['-H', join(folder, 'private', 'sam.ldb'), `--configfile=${join(folder, 'etc', 'smb.conf')}`];
  await run('ldbmodify', [...ldb, passwordLdif]);
  await rm(passwordLdif);
}

/**
 * Provisions a throwaway DC as a copy of the template for these options (samba-dc-template.ts), with passwords
 * of its own.
 */
async function provisionCopy(
  folder: string,
  options: Pick<SambaDcOptions, 'extraLdif' | 'backendStore' | 'host'>,
  log: (line: string) => void,
): Promise<Credentials> {
  const { extraLdif = [], backendStore = 'tdb', host = DEFAULT_DC_HOST } = options;
  const files = [...Object.values(fixtureFiles), ...extraLdif];
  await copyOfTemplate(
    folder,
    { extraLdif, backendStore, host },
    files,
    (into) => provision(into, options, log),
    log,
  );
  const credentials = { adminPassword: newPassword(), servicePassword: newPassword() };
  await setPasswords(folder, {
    [SERVICE_ACCOUNT_DN]: credentials.servicePassword,
    [ADMINISTRATOR_DN]: credentials.adminPassword,
  });
  return credentials;
}

export interface SambaDcOptions {
  /**
   * A folder to keep: provisioned on first use, reused afterwards, not removed by stop() (the benchmark's
   * large directory). By default a new temporary folder is provisioned and removed at stop().
   */
  readonly folder?: string;
  /** More LDIF to seed after the fixture directory. */
  readonly extraLdif?: readonly string[];
  /**
   * The database: `tdb` (Samba's default) or `mdb` (LMDB). Only LMDB keeps ordered indexes, so only with it
   * does `(uSNChanged>=N)` use the index, as it does in AD; with TDB it reads every object (about 20 ms per
   * 1,000 users), which would hide the cost of an incremental read behind the test DC's own.
   */
  readonly backendStore?: 'tdb' | 'mdb';
  /** The loopback address to serve (default 127.0.0.1); another one is added to `lo` when missing. */
  readonly host?: string;
  /** A throwaway folder as a copy of the template for these options (samba-dc-template.ts): the test lanes'. */
  readonly fromTemplate?: boolean;
}

/**
 * Provisions and seeds a DC in a folder to keep, unless it holds one already: offline, so it needs no port
 * and can run while another DC serves (the benchmark seeds its large directory so, then starts it).
 */
export async function provisionKeptDc(
  folder: string,
  options: Pick<SambaDcOptions, 'extraLdif' | 'backendStore' | 'host'>,
  log: (line: string) => void = () => {},
): Promise<Credentials> {
  const credentialsFile = join(folder, 'credentials.json');
  if (existsSync(credentialsFile)) {
    log(`reusing the directory in ${folder}`);
    return JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials;
  }
  await ensureSambaInstalled(log);
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const credentials = await provision(folder, options, log);
  await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/**
 * Makes sure a loopback address other than 127.0.0.1 is on `lo`, so that Samba can bind it (`interfaces`
 * names addresses of interfaces): adds it when missing, which needs root; otherwise says what to run.
 */
async function ensureLoopbackAddress(host: string, log: (line: string) => void): Promise<void> {
  if (host === DEFAULT_DC_HOST) return;
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) throw new Error(`${host} is not a loopback address`);
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', 'lo']);
  if (stdout.includes(` ${host}/`)) return;
  try {
    await run('ip', ['addr', 'add', `${host}/8`, 'dev', 'lo']);
    log(`added ${host} to lo`);
  } catch (error) {
    throw new Error(
      `A second test DC serves ${host}, which is not on lo, and adding it failed (it needs root): ` +
        `ip addr add ${host}/8 dev lo (${(error as Error).message})`,
    );
  }
}

/** Provisions (unless reusing a kept folder), seeds and starts a DC. `stop()` ends its process. */
export async function startSambaDc(
  log: (line: string) => void = () => {},
  options: SambaDcOptions = {},
): Promise<SambaDc> {
  const host = options.host ?? DEFAULT_DC_HOST;
  await ensureSambaInstalled(log);
  await ensureLoopbackAddress(host, log);
  await stopStaleDcs(log, host, options.folder);
  for (const port of LDAP_PORTS) {
    if (await isListening(host, port)) {
      throw new Error(
        `${host}:${port} is already in use, and a Samba DC needs it. Stop the LDAP server or DC listening there ` +
          `(see: ss -ltnp 'sport = :${port}').`,
      );
    }
  }

  const kept = options.folder !== undefined;
  const folder = options.folder ?? (await mkdtemp(join(tmpdir(), folderPrefix(host))));
  const removeFolder = async (): Promise<void> => {
    if (!kept) await rm(folder, { recursive: true, force: true });
  };
  let child: ChildProcess | undefined;
  try {
    const started = Date.now();
    const credentials = kept
      ? await provisionKeptDc(folder, options, log)
      : options.fromTemplate
        ? await provisionCopy(folder, options, log)
        : await provision(folder, options, log);

    const spawned = spawn(
      'samba',
      ['-s', join(folder, 'etc', 'smb.conf'), '--foreground', '--no-process-group', '-M', 'single'],
      {
        cwd: folder,
        stdio: 'ignore',
      },
    );
    child = spawned;
    const pid = spawned.pid;
    if (pid === undefined) throw new Error('samba could not be started');
    await writeFile(join(folder, 'samba.pid'), String(pid));
    // If the test process dies without its teardown, do not leave the DC running.
    const killOnExit = (): void => {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    };
    process.once('exit', killOnExit);

    const { ca, servername } = await waitForLdaps(folder, host, spawned, 30_000);
    log(`Samba DC ready (pid ${pid}) in ${Date.now() - started} ms`);

    const domain = REALM.toLowerCase();
    return {
      folder,
      pid,
      connection: {
        host,
        ldapsUrl: `ldaps://${host}:636`,
        ldapUrl: `ldap://${host}:389`,
        caCertificate: ca,
        tlsServerName: servername,
        baseDn: BASE_DN,
        domain,
        serviceAccount: {
          upn: `svc-sync@${domain}`,
          dn: SERVICE_ACCOUNT_DN,
          password: credentials.servicePassword,
        },
        administrator: { upn: `Administrator@${domain}`, password: credentials.adminPassword },
      },
      async stop() {
        process.removeListener('exit', killOnExit);
        await stopProcess(pid);
        await removeFolder();
      },
    };
  } catch (error) {
    if (child?.pid !== undefined) await stopProcess(child.pid);
    await removeFolder();
    throw error;
  }
}
