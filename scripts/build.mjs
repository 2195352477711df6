// Bundles the extension and the CLI with esbuild and ships sql.js's and PGlite's wasm beside them.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, chmodSync, readFileSync, readdirSync } from 'node:fs';
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

// Libraries needed only for some work (running migrations, reading a database, parsing a
// migration's body, loading a TypeScript migration) are bundled apart in dist/vendor/ and required
// on first use: activation and the CLI's start-up then parse ~0.4 MB instead of 2.4 MB.
const VENDORS = {
  knex: ['knex', 'knex/lib/dialects/sqlite3', 'knex/lib/dialects/postgres'],
  pg: ['pg'],
  'sql.js': ['sql.js'],
  lezer: ['@lezer/python'],
  sucrase: ['sucrase'],
  // PGlite (PostgreSQL in WASM) for verify's scratch databases; its run-time files sit beside it.
  pglite: ['@electric-sql/pglite'],
};
const PGLITE_FILES = ['pglite.wasm', 'initdb.wasm', 'pglite.data'];
const vendorOf = new Map(Object.entries(VENDORS).flatMap(([file, specs]) => specs.map((spec) => [spec, file])));

/** Replaces `require(spec)` by a shim reading it from its vendor bundle (`dir` relative to the output). */
const vendorSplit = (dir, own = []) => ({
  name: 'vendor-split',
  setup(build) {
    const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const filter = new RegExp(`^(${[...vendorOf.keys()].filter((k) => !own.includes(k)).map(escape).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'vendor-shim' }));
    build.onLoad({ filter: /.*/, namespace: 'vendor-shim' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`${dir}${vendorOf.get(args.path)}.js`)})[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
    build.onResolve({ filter: /.*/, namespace: 'vendor-shim' }, (args) => ({ path: args.path, external: true }));
  },
});

// Identifies this engine build (the CLI's plan cache is only valid for the build that compiled it):
// the sources and the locked dependency versions.
const engineId = (() => {
  const hash = createHash('sha1').update(readFileSync('package-lock.json'));
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
    .forEach((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : hash.update(e.name).update(readFileSync(path.join(dir, e.name)))));
  walk('src');
  return hash.digest('hex').slice(0, 16);
})();

const common = {
  define: { __MIGRATIONS_ENGINE_ID__: JSON.stringify(engineId) },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external,
  logLevel: 'info',
};

mkdirSync('dist/vendor', { recursive: true });
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join('dist', 'sql-wasm.wasm'));
// dist/vendor/pglite.js finds them beside itself (src/engine/scratch/pgliteFiles.ts looks there too).
const pgliteDist = path.dirname(require.resolve('@electric-sql/pglite'));
for (const f of PGLITE_FILES) copyFileSync(path.join(pgliteDist, f), path.join('dist', 'vendor', f));

const builds = [
  // The banner times the bundle's own evaluation (the extension logs it).
  { ...common, plugins: [vendorSplit('./vendor/')], entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', banner: { js: '"use strict"; var __migrationsBundleStart = performance.now();' } },
  { ...common, plugins: [vendorSplit('./vendor/')], entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The evaluation worker of a migration that reads rows back on PostgreSQL (runner/onlineWorker.ts), beside them.
  { ...common, plugins: [vendorSplit('./vendor/')], entryPoints: ['src/engine/runner/evalWorker.ts'], outfile: 'dist/evalWorker.js' },
  // The graph webview's page: a browser bundle (its CSS beside it), loaded under a strict CSP.
  { entryPoints: ['src/webview/graph/main.ts'], outfile: 'dist/webview/graph.js', bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production, logLevel: 'info' },
  // Each vendor bundle exports its specifiers as getters, so that requiring one loads only it.
  ...Object.entries(VENDORS).map(([file, specs]) => ({
    ...common,
    plugins: [sqlJsGrowth, vendorSplit('./', specs)],
    stdin: { contents: `module.exports = {${specs.map((s) => `get ${JSON.stringify(s)}() { return require(${JSON.stringify(s)}); }`).join(', ')}};`, resolveDir: '.', sourcefile: `vendor-${file}.js` },
    outfile: `dist/vendor/${file}.js`,
    logLevel: 'warning',
  })),
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
