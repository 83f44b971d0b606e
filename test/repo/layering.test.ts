/**
 * The import graph of the product (src/, tests and test helpers left out) follows the floors
 * written down in DEVELOPERS.md: no cycles; each folder imports only the folders its row below
 * allows, so no lower floor reaches up to pipeline/ or cli/ and fetch/ stays I/O only; and the
 * product imports only Node's built-ins and its own dependencies. A new folder fails here until
 * it is given a row.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Folder (or root file) → what it may import besides itself. `errors` and `version` are the
 * root files src/errors.ts and src/version.ts; `index` is src/index.ts.
 */
const FLOORS: Record<string, readonly string[]> = {
  // Foundation: types and helpers every stage may use.
  model: [],
  errors: [],
  version: [],
  util: ['model', 'errors'],
  // Stages.
  versions: ['model', 'errors', 'util'],
  unpack: ['model', 'errors', 'util'],
  inventory: ['model', 'errors', 'util', 'unpack'],
  sbom: ['model', 'errors', 'util', 'version', 'unpack', 'inventory'],
  merge: ['model', 'errors', 'util', 'unpack', 'inventory', 'sbom'],
  verify: ['model', 'errors', 'util', 'version', 'inventory', 'versions'],
  diff: ['model', 'errors', 'util', 'versions', 'unpack', 'inventory', 'sbom'],
  scan: ['model', 'errors', 'util', 'version', 'diff'],
  estate: [
    ...['model', 'errors', 'util', 'unpack', 'inventory', 'sbom', 'merge'],
    ...['versions', 'diff', 'scan'],
  ],
  // The local scan history (a SQLite file) and the changes between two recorded scans.
  history: [
    ...['model', 'errors', 'util', 'version', 'sbom', 'versions', 'diff', 'scan', 'verify'],
  ],
  report: [
    ...['model', 'errors', 'util', 'version', 'inventory', 'sbom', 'verify', 'scan'],
    ...['versions', 'diff', 'history'],
  ],
  // I/O: network, cache, bundle sources; never unpack/, inventory/ or verify/.
  fetch: ['model', 'errors', 'util', 'version'],
  // The one place stages are composed.
  pipeline: [
    ...['model', 'errors', 'util', 'version', 'unpack', 'inventory', 'sbom', 'merge'],
    ...['verify', 'scan', 'report', 'fetch', 'versions', 'diff', 'estate', 'history'],
  ],
  // Entry points: the command line, and the library's public API.
  cli: [
    ...['model', 'errors', 'util', 'version', 'unpack', 'inventory', 'sbom', 'merge'],
    ...['verify', 'scan', 'report', 'fetch', 'pipeline', 'versions', 'diff', 'estate', 'history'],
  ],
  index: [
    ...['model', 'errors', 'util', 'version', 'unpack', 'inventory', 'sbom', 'merge'],
    ...['verify', 'scan', 'report', 'fetch', 'pipeline', 'versions', 'diff', 'estate', 'history'],
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every import (static, type-only, re-export, dynamic) of a file, as written. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** `src/fetch/aws/x.ts` → `fetch`; `src/errors.ts` → `errors`. */
function floorOf(file: string): string {
  const parts = relative(join(ROOT, 'src'), file).split('/');
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
}

interface Graph {
  edges: Map<string, string[]>;
  packages: Map<string, Set<string>>;
}

function productGraph(): Graph {
  const edges = new Map<string, string[]>();
  const packages = new Map<string, Set<string>>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const from = relative(ROOT, file);
    const out: string[] = [];
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        out.push(normalize(join(dirname(from), spec.replace(/\.js$/, '.ts'))));
      } else {
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0]!;
        const users = packages.get(name) ?? new Set<string>();
        users.add(from);
        packages.set(name, users);
      }
    }
    edges.set(from, out);
  }
  return { edges, packages };
}

const graph = productGraph();

describe('the import graph of src/', () => {
  it('covers the product', () => {
    expect(graph.edges.size).toBeGreaterThan(100);
    expect(graph.edges.has('src/pipeline/verify.ts')).toBe(true);
  });

  it('has no cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (n: string): void => {
      state.set(n, 'open');
      stack.push(n);
      for (const m of graph.edges.get(n) ?? []) {
        if (!graph.edges.has(m)) continue;
        if (state.get(m) === 'open') cycles.push([...stack.slice(stack.indexOf(m)), m].join(' → '));
        else if (!state.has(m)) visit(m);
      }
      stack.pop();
      state.set(n, 'done');
    };
    for (const n of graph.edges.keys()) if (!state.has(n)) visit(n);
    expect(cycles).toEqual([]);
  });

  it('imports only what is on the same or a lower floor', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph.edges) {
      const a = floorOf(join(ROOT, from));
      const allowed = FLOORS[a];
      if (!allowed) {
        wrong.push(
          `${from}: folder ${a} has no row in the floor table (test/repo/layering.test.ts)`
        );
        continue;
      }
      for (const to of targets) {
        if (!to.startsWith('src/')) {
          wrong.push(`${from} → ${to}: the product imports nothing outside src/`);
          continue;
        }
        const b = floorOf(join(ROOT, to));
        if (b !== a && !allowed.includes(b))
          wrong.push(`${from} → ${to}: ${a}/ may not import ${b}/`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps fetch/ I/O only and every floor below pipeline/ and cli/', () => {
    // Spelled out, so a change to the table above cannot quietly lift these.
    expect(FLOORS['fetch']).not.toContain('unpack');
    expect(FLOORS['fetch']).not.toContain('inventory');
    expect(FLOORS['fetch']).not.toContain('verify');
    for (const [floor, allowed] of Object.entries(FLOORS)) {
      if (floor !== 'cli' && floor !== 'index') expect(allowed, floor).not.toContain('cli');
      if (!['cli', 'index', 'pipeline'].includes(floor))
        expect(allowed, floor).not.toContain('pipeline');
    }
  });

  it('imports only Node built-ins and the dependencies package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const declared = new Set([
      ...Object.keys(pkg.dependencies),
      ...Object.keys(pkg.optionalDependencies ?? {}),
    ]);
    const builtins = new Set(builtinModules);
    const undeclared = [...graph.packages]
      .filter(([name]) => !name.startsWith('node:') && !builtins.has(name) && !declared.has(name))
      .map(([name, users]) => `${name} (${[...users].join(', ')})`);
    expect(undeclared).toEqual([]);
  });
});

describe('aws-local/', () => {
  it('is its own package: its code imports nothing of lamina', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'aws-local/src'))) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, join(dirname(file), spec));
        const ok = target.startsWith('aws-local/') || target === 'scripts/lib/zipwriter.mjs';
        if (!ok) wrong.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
