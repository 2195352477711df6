/**
 * Compiled statements of Python revisions, kept between runs as Python keeps `__pycache__` for
 * Alembic: running revisions already compiled skips parsing them (a third of a 1,000-revision
 * upgrade on SQLite). An entry is keyed by the file's fingerprint (size, mtime, inode), the
 * function and the dialect, and belongs to the engine build that compiled it: a rebuilt or updated
 * engine starts afresh. Only plans made of plain statements are kept: batch recreations are
 * compiled against the live table, TypeScript/JavaScript revisions run code.
 */
import fs from 'node:fs';
import type { Statement } from '../ops/plan';
import { readJsonCache, writeJsonCache } from '../util/jsonCache';

interface Entry { size: number; mtimeMs: number; ino: number; statements: Statement[][] }
interface Stored { format: number; engine: string; entries: [string, Entry][] }

const FORMAT = 1;

/** This engine build: its own file's size and mtime (a bundle, or a compiled module in tests). */
const ENGINE = (() => {
  try {
    const st = fs.statSync(__filename);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
})();

export class PlanCache {
  private entries = new Map<string, Entry>();
  private dirty = false;
  /** Plans served from the cache since loading: for tests and the log. */
  hits = 0;

  static load(file: string): PlanCache {
    const cache = new PlanCache();
    const data = readJsonCache<Stored>(file);
    if (ENGINE && data?.format === FORMAT && data.engine === ENGINE && Array.isArray(data.entries)) cache.entries = new Map(data.entries);
    return cache;
  }

  private static key = (file: string, fn: string, dialect: string) => `${dialect}:${fn}:${file}`;
  private static fileOf = (key: string) => key.replace(/^[^:]*:[^:]*:/, '');

  get(file: string, st: fs.Stats, fn: string, dialect: string): Statement[][] | undefined {
    const e = this.entries.get(PlanCache.key(file, fn, dialect));
    if (!e || e.size !== st.size || e.mtimeMs !== st.mtimeMs || e.ino !== st.ino) return undefined;
    this.hits++;
    return e.statements;
  }

  set(file: string, st: fs.Stats, fn: string, dialect: string, statements: Statement[][]): void {
    this.entries.set(PlanCache.key(file, fn, dialect), { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, statements });
    this.dirty = true;
  }

  save(file: string): void {
    if (!ENGINE || !this.dirty) return;
    for (const k of this.entries.keys()) if (!fs.existsSync(PlanCache.fileOf(k))) this.entries.delete(k); // deleted revisions
    const stored: Stored = { format: FORMAT, engine: ENGINE, entries: [...this.entries] };
    if (writeJsonCache(file, JSON.stringify(stored))) this.dirty = false;
  }
}
