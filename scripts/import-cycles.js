#!/usr/bin/env node
/*
 * Reports the strongly connected components of src/'s import graph (the
 * import cycles), from dependency-cruiser's JSON: once counting every
 * import, once counting value imports only (type-only imports vanish at
 * compile time). Used to measure the layering; `npm run check:layers`
 * enforces the rules themselves.
 */
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const root = path.join(__dirname, '..');
const out = execFileSync(path.join(root, 'node_modules/.bin/depcruise'),
  ['src', '--config', '.dependency-cruiser.js', '--output-type', 'json', '--no-progress'],
  { cwd: root, maxBuffer: 64 << 20 }).toString();
const modules = JSON.parse(out).modules.filter((m) => m.source.startsWith('src/'));

function sccs(valueOnly) {
  const edges = new Map();
  for (const m of modules) {
    edges.set(m.source, m.dependencies
      .filter((d) => d.resolved.startsWith('src/'))
      .filter((d) => !valueOnly || !d.dependencyTypes.some((t) => t === 'type-only' || t === 'type-import'))
      .map((d) => d.resolved));
  }
  let index = 0; const idx = new Map(); const low = new Map(); const stack = []; const on = new Set(); const res = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = []; let w;
      do { w = stack.pop(); on.delete(w); c.push(w); } while (w !== v);
      if (c.length > 1) res.push(c.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return res.sort((a, b) => b.length - a.length);
}
const verbose = process.argv.includes('--list');
console.log(`${modules.length} files in src/`);
for (const [label, valueOnly] of [['all imports', false], ['value imports', true]]) {
  const cs = sccs(valueOnly);
  console.log(`${label}: ${cs.length} cycles, largest ${cs.length ? cs[0].length : 0} files`);
  if (verbose) for (const c of cs) console.log(`  [${c.length}] ${c.join(' ')}`);
}
