// Summarises V8 .cpuprofile files (from `node --cpu-prof --cpu-prof-dir=<dir>`): self time per
// function (functionName + url:line), per thread and over all threads, and per code area.
//   node scripts/bench/cpuprofile-top.ts <dir or .cpuprofile files...> [--top=N]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  key: string;
  area: string;
  micros: number;
}

const META = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Which part of the code a frame belongs to: a workspace package, a dependency, Node itself, or V8. */
export function areaOf(frame: CallFrame): string {
  if (META.has(frame.functionName)) return frame.functionName;
  const url = frame.url;
  if (url === '') return '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node internals';
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency && !url.includes('/packages/')) return `dep ${dependency[1]}`;
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace) return `@cathode/${workspace[1]}`;
  return url;
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const workspace = /\/(packages\/.*)$/.exec(url);
  if (workspace) return workspace[1];
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)$/.exec(url);
  if (dependency) return dependency[1];
  return url.replace(/^file:\/\//, '');
}

/** Self time per frame, in µs; a sample's duration is the gap to the next sample (as DevTools does). */
export function selfTimes(profile: CpuProfile): { total: number; rows: SelfTime[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const perNode = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const duration = i + 1 < samples.length ? timeDeltas[i + 1] : 0;
    if (duration > 0) perNode.set(samples[i], (perNode.get(samples[i]) ?? 0) + duration);
  }
  const rows = new Map<string, SelfTime>();
  let total = 0;
  for (const [id, micros] of perNode) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += micros;
    const name = frame.functionName || '(anonymous)';
    const where = shortUrl(frame.url);
    const key = where ? `${name}  ${where}:${frame.lineNumber + 1}` : name;
    const row = rows.get(key) ?? { key, area: areaOf(frame), micros: 0 };
    row.micros += micros;
    rows.set(key, row);
  }
  return { total, rows: [...rows.values()].sort((a, b) => b.micros - a.micros) };
}

function profileFiles(args: string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (statSync(arg).isDirectory()) {
      for (const name of readdirSync(arg).sort()) if (name.endsWith('.cpuprofile')) files.push(join(arg, name));
    } else {
      files.push(arg);
    }
  }
  return files;
}

const pct = (part: number, whole: number) => `${((100 * part) / Math.max(whole, 1)).toFixed(1).padStart(5)}%`;
const ms = (micros: number) => `${(micros / 1000).toFixed(0).padStart(7)} ms`;

function printTable(title: string, rows: SelfTime[], total: number, busy: number, top: number): void {
  console.log(`\n${title}`);
  console.log(`  ${'self'.padStart(10)}  ${'% all'.padStart(6)}  ${'% busy'.padStart(6)}  function  (file:line)  [area]`);
  for (const row of rows.slice(0, top)) {
    const ofBusy = row.area === '(idle)' ? '     -' : pct(row.micros, busy);
    console.log(`  ${ms(row.micros)}  ${pct(row.micros, total)}  ${ofBusy}  ${row.key}  [${row.area}]`);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const top = Number(args.find((arg) => arg.startsWith('--top='))?.slice(6) ?? 30);
  const files = profileFiles(args.filter((arg) => !arg.startsWith('--')));
  if (files.length === 0) {
    console.error('usage: cpuprofile-top.ts <dir or .cpuprofile files...> [--top=N]');
    process.exit(2);
  }
  const all = new Map<string, SelfTime>();
  let allTotal = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const { total, rows } = selfTimes(profile);
    const idle = rows.find((row) => row.key === '(idle)')?.micros ?? 0;
    console.log(`\n=== ${basename(file)}: ${ms(total).trim()} sampled, ${pct(total - idle, total).trim()} busy`);
    printTable('  top self time (this thread)', rows, total, total - idle, Math.min(top, 15));
    allTotal += total;
    for (const row of rows) {
      const merged = all.get(row.key) ?? { ...row, micros: 0 };
      merged.micros += row.micros;
      all.set(row.key, merged);
    }
  }
  const rows = [...all.values()].sort((a, b) => b.micros - a.micros);
  const idle = all.get('(idle)')?.micros ?? 0;
  const busy = allTotal - idle;
  printTable(`=== all ${files.length} profile(s): top ${top} functions by self time`, rows, allTotal, busy, top);
  const areas = new Map<string, number>();
  for (const row of rows) areas.set(row.area, (areas.get(row.area) ?? 0) + row.micros);
  console.log('\n=== self time by area (busy time only)');
  for (const [area, micros] of [...areas].sort((a, b) => b[1] - a[1])) {
    if (area === '(idle)') continue;
    console.log(`  ${ms(micros)}  ${pct(micros, busy)}  ${area}`);
  }
}

if (import.meta.main) main();
