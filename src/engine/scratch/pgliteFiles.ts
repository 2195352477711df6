/**
 * PGlite's run-time files (pglite.wasm, initdb.wasm, pglite.data), found and compiled once per
 * process, and the cached fresh data directory that spares initdb on later starts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PGLITE_FILES = ['pglite.wasm', 'initdb.wasm', 'pglite.data'] as const;

export interface PgliteFiles {
  dir: string;
  pgliteWasm: WebAssembly.Module;
  initdbWasm: WebAssembly.Module;
  fsBundle: Blob;
  /** Identifies this build of PGlite (a digest of its files): names its cached data directory. */
  key: string;
}

/**
 * Where the files lie: MIGRATIONS_PGLITE_DIR (tests point it at a broken copy), beside the vendor
 * bundle in dist/vendor/, or in node_modules when run unbundled.
 */
export function pgliteDir(): string {
  const fromEnv = process.env.MIGRATIONS_PGLITE_DIR;
  if (fromEnv) return fromEnv;
  for (const dir of [path.join(__dirname, 'vendor'), __dirname]) {
    if (fs.existsSync(path.join(dir, 'pglite.wasm'))) return dir;
  }
  // A variable keeps esbuild from bundling the path.
  const main = '@electric-sql/pglite';
  return path.dirname(require.resolve(main));
}

// The engine's lib (ES2022, no DOM) types WebAssembly's namespace but not its functions.
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

const loaded = new Map<string, Promise<PgliteFiles>>();

/** Reads and compiles the files of `dir` (once per process; a failure is not kept). */
export function loadPgliteFiles(dir: string): Promise<PgliteFiles> {
  let p = loaded.get(dir);
  if (!p) {
    p = readFiles(dir);
    loaded.set(dir, p);
    p.catch(() => loaded.delete(dir));
  }
  return p;
}

async function readFiles(dir: string): Promise<PgliteFiles> {
  const hash = crypto.createHash('sha1');
  const bytes = PGLITE_FILES.map((name) => {
    const file = path.join(dir, name);
    let b: Buffer;
    try { b = fs.readFileSync(file); } catch (e) { throw new Error(`its file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e }); }
    hash.update(name).update(b);
    return b;
  });
  const compile = async (b: Buffer, name: string) => {
    try { return await wasm.compile(b); } catch (e) { throw new Error(`its file ${path.join(dir, name)} is damaged (${(e as Error).message})`, { cause: e }); }
  };
  const [pgliteWasm, initdbWasm] = await Promise.all([compile(bytes[0], PGLITE_FILES[0]), compile(bytes[1], PGLITE_FILES[1])]);
  return { dir, pgliteWasm, initdbWasm, fsBundle: new Blob([bytes[2]]), key: hash.digest('hex').slice(0, 16) };
}

/** The per-user cache folder: MIGRATIONS_CACHE_DIR, else the platform's cache folder, else the temp folder. */
export function cacheDir(): string {
  const fromEnv = process.env.MIGRATIONS_CACHE_DIR;
  if (fromEnv) return fromEnv;
  const home = os.homedir();
  const base = process.platform === 'win32' ? process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local')
    : process.platform === 'darwin' ? path.join(home, 'Library', 'Caches')
      : process.env.XDG_CACHE_HOME ?? path.join(home, '.cache');
  return path.join(home ? base : os.tmpdir(), 'alembic-migrations-vscode');
}

export const dataDirFile = (key: string, dir = cacheDir()) => path.join(dir, `pglite-datadir-${key}.tar`);

/** The cached fresh data directory, if there is one. */
export function readCachedDataDir(file: string): Blob | undefined {
  try { return new Blob([fs.readFileSync(file)]); } catch { return undefined; }
}

/** Stores a fresh data directory (temp file + rename: a concurrent reader never sees half of it). Best effort. */
export function writeCachedDataDir(file: string, data: Uint8Array): boolean {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
    // Another PGlite build's copy is dead weight (40 MB).
    for (const other of fs.readdirSync(path.dirname(file))) {
      if (/^pglite-datadir-[0-9a-f]+\.tar$/.test(other) && other !== path.basename(file)) removeCachedDataDir(path.join(path.dirname(file), other));
    }
    return true;
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to remove */ }
    return false;
  }
}

export function removeCachedDataDir(file: string): void {
  try { fs.rmSync(file, { force: true }); } catch { /* best effort */ }
}
