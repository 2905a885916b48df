// The import graph of electron/core and the checks on it: no cycle, and imports run one way
// through the layers (store, hsm → audit → vault → kube → rollout → api → the composition root).
// Type-only imports count too: a cycle of types is still a cycle a reader has to untangle.
// Run by npm test (`node scripts/import-graph.ts` exits 1 and names the cycle); its own test
// feeds it a cycle (tests/unit/import-graph.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** File → the files it imports (both relative to the root given to importGraph). */
export type ImportGraph = Map<string, string[]>;

/** Layers from the bottom up; a file may import its own layer or one below. Unlisted folders and top-level files are foundations (rank 0), except index.ts, the composition root. */
export const LAYERS: Record<string, number> = {
  store: 0,
  hsm: 0,
  log: 0,
  settings: 0,
  audit: 1,
  vault: 2,
  kube: 3,
  rollout: 4,
  api: 5,
  // The composition root's adapters between areas (index.ts is ranked with them).
  wiring: 6,
};
const ROOT_RANK = 6;
/** Top-level files ranked with the composition root: it, and the bundle's entry that re-exports it. */
const ENTRIES = ['index.ts', 'bundle-entry.ts'];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(path);
    return /\.tsx?$/u.test(e.name) && !/\.test\.tsx?$/u.test(e.name) ? [path] : [];
  });
}

/** Every relative import (values and types, static and dynamic) between the non-test .ts files under dir. */
export function importGraph(dir: string): ImportGraph {
  const root = resolve(dir);
  const graph: ImportGraph = new Map();
  for (const file of walk(root)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name))
      .filter((target) => target.startsWith(root + '/'))
      .map((target) => relative(root, target));
    graph.set(relative(root, file), [...new Set(targets)].sort());
  }
  return graph;
}

/** The cycles of the graph, each as the list of files around it (one per strongly connected component of more than one file, or a file importing itself). */
export function findCycles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components, iterative enough for a few hundred files.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return cycles;
}

function rank(file: string): number {
  const parts = file.split('/');
  if (parts.length === 1) return ENTRIES.includes(file) ? ROOT_RANK : 0;
  return LAYERS[parts[0]!] ?? 0;
}

/** Imports that point up the layers: "from → to" for each. */
export function upwardImports(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) for (const to of targets) if (rank(to) > rank(from)) out.push(`${from} → ${to}`);
  return out.sort();
}

/** The problems with the import graph of dir, as sentences; empty when it is clean. */
export function importProblems(dir: string): string[] {
  const graph = importGraph(dir);
  return [
    ...findCycles(graph).map((c) => `import cycle through ${c.length} file(s): ${c.join(', ')}`),
    ...upwardImports(graph).map((edge) => `import against the layer direction (store, hsm → audit → vault → kube → rollout → api): ${edge}`),
  ];
}

if (import.meta.main) {
  const dir = process.argv[2] ?? 'electron/core';
  const problems = importProblems(dir);
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exitCode = 1;
  else console.log(`${dir}: no import cycle, imports follow the layers.`);
}
