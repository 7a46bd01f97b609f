// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package.
// Usage: node tests/bench/profile-summary.ts <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const top = Number(process.argv[3] ?? 25);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, us] of self) {
  const frame = byId.get(id)!.callFrame;
  const url = frame.url.replace(/^file:\/\//, '');
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.includes('/dist/server/')
      ? 'dist/server (app bundle)'
      : url.startsWith('node:')
        ? 'node core'
        : url || `(${frame.functionName || 'native'})`);
  const fn = `${frame.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
};
console.log(`total sampled: ${(total / 1e6).toFixed(1)} s`);
show('by package', byPackage);
show('by function (self time)', byFunction);

// Who calls the hottest native functions (writev, stat…): the top JS callers by self time below them.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const watch = (process.argv[4] ?? 'writev,stat,lstatSync').split(',');
for (const fnName of watch) {
  const callers = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName !== fnName) continue;
    const chain: string[] = [];
    let current = parent.get(id);
    while (current !== undefined && chain.length < 6) {
      const frame = byId.get(current)!.callFrame;
      if (frame.functionName)
        chain.push(`${frame.functionName} ${frame.url.split('/').slice(-1)[0]}:${frame.lineNumber + 1}`);
      current = parent.get(current);
    }
    const key = chain.join(' ← ');
    callers.set(key, (callers.get(key) ?? 0) + us);
  }
  if (callers.size === 0) continue;
  console.log(`\ncallers of ${fnName}`);
  for (const [chain, us] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 4))
    console.log(`${(us / 1000).toFixed(0).padStart(6)} ms  ${chain}`);
}
