/**
 * Compiled statements of Python revisions, kept between runs as Python keeps `__pycache__` for
 * Alembic: running revisions already compiled skips parsing them (a third of a 1,000-revision
 * upgrade on SQLite). An entry is keyed by the file, the function and the dialect, and holds the
 * SHA-1 of the text it was compiled from (reading is cheap; parsing is what is saved). The cache
 * belongs to the engine build that compiled it (a hash of the sources and the locked dependencies,
 * the Python parser's version included): any other build starts afresh. Only plans made of plain
 * statements are kept: batch recreations are compiled against the live table,
 * TypeScript/JavaScript revisions run code.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Statement } from '../ops/plan';
import { readJsonCache, writeJsonCache } from '../util/jsonCache';

interface Entry { sha1: string; statements: Statement[][] }
interface Stored { format: number; engine: string; entries: [string, Entry][] }

const FORMAT = 2;

/** Set by the build (scripts/build.mjs): a hash of the engine's sources and the locked dependencies. */
declare const __MIGRATIONS_ENGINE_ID__: string | undefined;
/** Unbundled (tests), the code can change under the same path: a cache then lives for one process. */
const ENGINE = typeof __MIGRATIONS_ENGINE_ID__ === 'string' ? __MIGRATIONS_ENGINE_ID__ : `unbundled:${process.pid}:${crypto.randomUUID()}`;

const sha1 = (text: string) => crypto.createHash('sha1').update(text).digest('hex');

export class PlanCache {
  private entries = new Map<string, Entry>();
  private dirty = false;
  /** Plans served from the cache since loading: for tests and the log. */
  hits = 0;

  static load(file: string): PlanCache {
    const cache = new PlanCache();
    const data = readJsonCache<Stored>(file);
    if (data?.format === FORMAT && data.engine === ENGINE && Array.isArray(data.entries)) cache.entries = new Map(data.entries);
    return cache;
  }

  private static key = (file: string, fn: string, dialect: string) => `${dialect}:${fn}:${file}`;
  private static fileOf = (key: string) => key.replace(/^[^:]*:[^:]*:/, '');

  get(file: string, text: string, fn: string, dialect: string): Statement[][] | undefined {
    const e = this.entries.get(PlanCache.key(file, fn, dialect));
    if (!e || e.sha1 !== sha1(text)) return undefined;
    this.hits++;
    return e.statements;
  }

  set(file: string, text: string, fn: string, dialect: string, statements: Statement[][]): void {
    this.entries.set(PlanCache.key(file, fn, dialect), { sha1: sha1(text), statements });
    this.dirty = true;
  }

  save(file: string): void {
    if (!this.dirty) return;
    for (const k of this.entries.keys()) if (!fs.existsSync(PlanCache.fileOf(k))) this.entries.delete(k); // deleted revisions
    const stored: Stored = { format: FORMAT, engine: ENGINE, entries: [...this.entries] };
    if (writeJsonCache(file, JSON.stringify(stored))) this.dirty = false;
  }
}
