#!/usr/bin/env node
/*
 * Adds Redis 7.0.15's metadata for commands to one of our spec files:
 *   node scripts/spec-add.js <family> <command> [<command|sub> ...]
 * Reads ../shared/fixtures/redis-7.0.15/commands.json (Redis's COMMAND INFO
 * and COMMAND DOCS data). A container command ("config") is added with only
 * the subcommands named ("config|get"). Existing entries keep their
 * summary/complexity, which we write ourselves; new ones get an empty
 * summary that the metadata test will insist on.
 */
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
const fixture = path.join(root, '..', 'shared', 'fixtures', 'redis-7.0.15', 'commands.json');
const [family, ...names] = process.argv.slice(2);
if (!family || names.length === 0) {
  console.error('usage: spec-add.js <family> <command> [<command|sub> ...]');
  process.exit(2);
}
const all = JSON.parse(fs.readFileSync(fixture, 'utf8')).commands;
const byName = new Map(all.map((c) => [c.name, c]));
const file = path.join(root, 'src', 'commands', 'spec', `${family}.json`);
const spec = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
const find = (n) => spec.find((c) => c.name === n);
function strip(c) {
  const { subcommands, replaced_by, ...rest } = c;
  // the fixture only says that a replacement text exists (true): write it into replaced_by by hand
  const entry = { ...rest, summary: '', complexity: '', subcommands: [] };
  if (replaced_by === true) entry.replaced_by = '';
  return entry;
}
for (const n of names.map((s) => s.toLowerCase())) {
  const [parent, sub] = n.split('|');
  const src = byName.get(parent);
  if (!src) { console.error(`no such command in Redis 7.0.15: ${parent}`); process.exit(1); }
  let entry = find(parent);
  if (!entry) {
    entry = strip(src);
    spec.push(entry);
  }
  if (sub) {
    const s = src.subcommands.find((x) => x.name === n);
    if (!s) { console.error(`no such subcommand: ${n}`); process.exit(1); }
    if (!entry.subcommands.find((x) => x.name === n)) entry.subcommands.push(strip(s));
  }
}
spec.sort((a, b) => a.name.localeCompare(b.name));
for (const c of spec) c.subcommands.sort((a, b) => a.name.localeCompare(b.name));
fs.writeFileSync(file, JSON.stringify(spec, null, 1) + '\n');
console.log(`${file}: ${spec.length} commands`);
