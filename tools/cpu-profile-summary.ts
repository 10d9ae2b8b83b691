/**
 * `npx tsx tools/cpu-profile-summary.ts <file.cpuprofile> [--top N]`: where a process's CPU went, from a V8 CPU
 * profile (node --cpu-prof; `ADSYNC_BENCH_CPU_PROF=<folder> npm run bench` writes one per sync): self time
 * by package or source file, and by function, idle time apart. A bundle esbuild wrote without minifying is
 * attributed to the files it was built from (its `// <path>` lines). Development only.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
const [file] = positionals;
if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [--top N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const top = Number(values.top);

/**
 * The modules of a bundle esbuild wrote without minifying: each begins with a `// <path>` line. Their first
 * lines, in order (none for a file that is not such a bundle, or cannot be read).
 */
const bundleModules = new Map<string, { line: number; path: string }[]>();
function modulesOf(path: string): { line: number; path: string }[] {
  let modules = bundleModules.get(path);
  if (!modules) {
    modules = [];
    try {
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((text, line) => {
          const marker = /^\/\/ ((?:[\w@.-]+\/)*[\w@.-]+\.[cm]?[jt]s)$/.exec(text);
          if (marker?.[1]) modules?.push({ line, path: marker[1] });
        });
    } catch {
      // not a file (node:, or gone): no modules
    }
    bundleModules.set(path, modules);
  }
  return modules;
}

/** A package (npm:name), a source file of this project, a node: module, or (native). */
function whereOf(url: string, lineNumber: number): string {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.startsWith('/') ? modulesOf(file) : [];
  const module = modules.findLast((m) => m.line <= lineNumber);
  const path = module ? module.path : file;
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (npm) return `npm:${npm[1]}`;
  if (path === '') return '(native)';
  return path.replace(/^.*?\/(shared|tools|functions|local)\//, '$1/');
}

const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const byPlace = new Map<string, number>();
const byFunction = new Map<string, number>();
let idleUs = 0;
let totalUs = 0;
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = (byNode.get(id) as ProfileNode).callFrame;
  totalUs += us;
  if (functionName === '(idle)') {
    idleUs += us;
    continue;
  }
  const where = whereOf(url, lineNumber);
  byPlace.set(where, (byPlace.get(where) ?? 0) + us);
  const name = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
const busyUs = totalUs - idleUs;
const ms = (us: number) => (us / 1000).toFixed(1).padStart(8);
const share = (us: number) => `${((us / busyUs) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, rows: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`${ms(us)} ms ${share(us)}  ${name}\n`);
};
process.stdout.write(`profiled ${ms(totalUs)} ms: busy ${ms(busyUs)} ms, idle ${ms(idleUs)} ms\n`);
print('self time by package or file (share of busy time)', byPlace);
print('self time by function', byFunction);
