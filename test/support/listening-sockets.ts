/**
 * Which TCP ports a process and its descendants listen on, read from /proc (Linux): the LISTEN rows of
 * /proc/net/tcp and tcp6, matched to the socket inodes in /proc/<pid>/fd.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ListeningSocket {
  readonly pid: number;
  /** `127.0.0.1`, `::`, `::ffff:127.0.0.1`, ... */
  readonly address: string;
  readonly port: number;
}

const LISTEN = '0A';

/** /proc/net/tcp writes each 32-bit word of an address in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const bytes = (hex.match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16));
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push(...bytes.slice(i, i + 4).reverse());
  if (words.length === 4) return words.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((words[i] ?? 0) << 8) | (words[i + 1] ?? 0)).toString(16));
  const mapped = groups.slice(0, 6).join(':') === '0:0:0:0:0:ffff';
  if (mapped) return `::ffff:${words.slice(12).join('.')}`;
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Whether an address reaches only this machine: 127.0.0.0/8, ::1 or an IPv4-mapped 127.x. */
export function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\./.test(address) || address === '::1' || address === '0:0:0:0:0:0:0:1';
}

/** LISTEN sockets of the machine, by inode. */
async function listeningByInode(): Promise<Map<string, { address: string; port: number }>> {
  const byInode = new Map<string, { address: string; port: number }>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== LISTEN || !inode) continue;
      const [hexAddress = '', hexPort = ''] = local.split(':');
      byInode.set(inode, { address: decodeAddress(hexAddress), port: Number.parseInt(hexPort, 16) });
    }
  }
  return byInode;
}

/** The process and all its descendants (from the parent pid in each /proc/<pid>/stat). */
export async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name (2nd field) is in parentheses and may hold spaces: the parent pid follows the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(entry), ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** The command line of a process, its arguments joined by spaces. */
export async function commandLine(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
}

/** Every TCP socket the process or one of its descendants listens on. */
export async function listeningSocketsOf(root: number): Promise<ListeningSocket[]> {
  const byInode = await listeningByInode();
  const sockets: ListeningSocket[] = [];
  for (const pid of await processTree(root)) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    const inodes = new Set<string>();
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    }
    for (const inode of inodes) {
      const socket = byInode.get(inode);
      if (socket) sockets.push({ pid, ...socket });
    }
  }
  return sockets;
}

/** Every LISTEN socket of the machine on a port (whoever owns it). */
export async function listeningSocketsOnPort(port: number): Promise<{ address: string; port: number }[]> {
  return [...(await listeningByInode()).values()].filter((socket) => socket.port === port);
}
