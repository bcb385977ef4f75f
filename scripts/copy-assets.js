#!/usr/bin/env node
// Copies the JSON data files under src/ (command specs) next to the compiled code in dist/src/.
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.json')) {
      const dest = path.join(root, 'dist', path.relative(root, p));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.copyFileSync(p, dest);
    }
  }
}
walk(path.join(root, 'src'));
