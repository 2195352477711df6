// Bundles the extension and the CLI with esbuild and ships sql.js's wasm beside them.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// Drivers knex/pg may require but we never use; vscode is provided by the host.
const external = ['vscode', 'pg-native', 'pg-query-stream', 'sqlite3', 'better-sqlite3', 'tedious',
  'mysql', 'mysql2', 'oracledb', 'mariadb/callback'];

// sql.js keeps a database file in a buffer that grows by 12.5% past 1 MB: writing an 8 MB database
// reallocates and copies it ~27 times: 0.15 s of a 1.9 s 1,000-revision upgrade on this 2-core VM,
// up to 1 s when it is loaded, mostly faults on fresh pages (docs/PERFORMANCE.md). Growing 4x (1.25x past 256 MB) costs no memory until written. The exact text
// is checked so that a new sql.js fails the build instead of silently losing the change.
const sqlJsGrowth = {
  name: 'sql.js-file-growth',
  setup(build) {
    build.onLoad({ filter: /sql\.js[\\/]dist[\\/]sql-wasm\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const rule = 'm*(m<1048576?2:1.125)';
      if (text.split(rule).length !== 2) throw new Error(`sql.js changed: its file growth rule ${rule} was not found once in ${args.path}; review scripts/build.mjs`);
      return { contents: text.replace(rule, 'm*(m<268435456?4:1.25)'), loader: 'js' };
    });
  },
};

const common = {
  plugins: [sqlJsGrowth],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external,
  logLevel: 'info',
};

mkdirSync('dist', { recursive: true });
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join('dist', 'sql-wasm.wasm'));

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
