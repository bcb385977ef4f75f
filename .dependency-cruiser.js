/*
 * The layers of src/, checked by `npm run check:layers` (part of `npm test`).
 * Each layer imports only the layers below it (docs/development.md):
 *
 *   util/ < protocol/ < types/ < command-model/ < keyspace/ < config/
 *         < server/ < modules (commands/ persistence/ replication/
 *           scripting/ info/) < the composition root (src/*.ts)
 *
 * util/ and protocol/ are leaves the CLI, benchmark and proxy use without
 * the server. One exception is allowed and named: the command model's
 * handler type still names server/client.ts's Client (type-only).
 * No value-import cycle may span more than one folder.
 */
const below = (...folders) => `^src/(${folders.join('|')})/`;

function layer(name, folder, allowed, extra = {}) {
  return {
    name: `layer-${name}`,
    comment: `${folder}/ may import only ${allowed.join(', ')}`,
    severity: 'error',
    from: { path: `^src/${folder}/` },
    to: { path: '^src/', pathNot: [below(folder, ...allowed), ...(extra.pathNot ?? [])], ...(extra.to ?? {}) },
  };
}

const MODULES = ['commands', 'persistence', 'replication', 'scripting', 'info'];
const SERVER_AND_BELOW = ['server', 'config', 'keyspace', 'command-model', 'types', 'protocol', 'util'];

module.exports = {
  forbidden: [
    layer('util', 'util', []),
    layer('protocol', 'protocol', ['util']),
    layer('types', 'types', ['util']),
    layer('command-model', 'command-model', ['types', 'protocol', 'util'], {
      // the handler signature names the Client (a narrower handler context is future work)
      pathNot: ['^src/server/client\\.ts$'],
    }),
    {
      name: 'layer-command-model-values',
      comment: 'command-model/ may name server/client.ts only in type imports',
      severity: 'error',
      from: { path: '^src/command-model/' },
      to: { path: '^src/server/client\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    layer('keyspace', 'keyspace', ['command-model', 'types', 'protocol', 'util']),
    layer('config', 'config', ['keyspace', 'command-model', 'types', 'protocol', 'util']),
    layer('server', 'server', SERVER_AND_BELOW.slice(1)),
    ...MODULES.map((m) => layer(m, m, [...MODULES.filter((x) => x !== m), ...SERVER_AND_BELOW])),
    {
      name: 'no-cross-folder-value-cycle',
      comment: 'a value-import cycle may not leave its folder',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        circular: true,
        viaOnly: { dependencyTypesNot: ['type-only'] },
        via: { pathNot: '^src/$1/' },
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
