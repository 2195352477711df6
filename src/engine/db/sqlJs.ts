/**
 * sql.js, loaded on first use (the WASM module is ~700 KB and costs tens of milliseconds) and
 * reused afterwards: WASM memory never shrinks, so one module serves every database.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** Where sql-wasm.wasm lies: beside the bundle in dist/, or in node_modules when run unbundled. */
function wasmPath(): string {
  const beside = path.join(__dirname, 'sql-wasm.wasm');
  if (fs.existsSync(beside)) return beside;
  // Unbundled (tests compiled by tsc): resolve it from node_modules. A variable keeps esbuild from
  // trying to bundle the path.
  const fromPackage = 'sql.js/dist/sql-wasm.wasm';
  return require.resolve(fromPackage);
}

export function loadSqlJs(): Promise<SqlJsStatic> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loading ??= (require('sql.js') as (c: object) => Promise<SqlJsStatic>)({ wasmBinary: fs.readFileSync(wasmPath()) });
  return loading;
}
