/**
 * Parsed revision headers keyed by path and file fingerprint (size, mtime, inode), so that a
 * refresh after one file changed re-reads that file only. Can be saved to and loaded from disk
 * (the CLI keeps one per project in the user's cache folder).
 */
import fs from 'node:fs';
import { readJsonCache, writeJsonCache } from '../util/jsonCache';
import { readRevisionFile, RevisionFileInfo } from './revisionFile';

interface Entry { size: number; mtimeMs: number; ino: number; info: RevisionFileInfo }

const FORMAT = 1;

export class HeaderCache {
  private entries = new Map<string, Entry>();
  /** Files actually read (not served from the cache) by the last `readAll`: for tests and bench. */
  lastReads = 0;
  private dirty = false;

  /** `fingerprints: false` for a one-shot read with nothing to compare against (saves a stat per file). */
  constructor(private readonly options: { fingerprints?: boolean } = {}) {}

  read(file: string): RevisionFileInfo {
    if (this.options.fingerprints === false) {
      this.lastReads++;
      return readRevisionFile(file, fs.readFileSync(file, 'utf8'));
    }
    const st = fs.statSync(file);
    const hit = this.entries.get(file);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ino === st.ino) return hit.info;
    const info = readRevisionFile(file, fs.readFileSync(file, 'utf8'));
    this.entries.set(file, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, info });
    this.lastReads++;
    this.dirty = true;
    return info;
  }

  readAll(files: string[]): RevisionFileInfo[] {
    this.lastReads = 0;
    const infos = files.map((f) => this.read(f));
    this.forgetOthers(files);
    return infos;
  }

  /** `readAll`, awaiting `pause()` after every `slice` files (a stat each, a read and parse when changed). */
  async readAllInSlices(files: string[], pause: () => Promise<void>, slice = 500): Promise<RevisionFileInfo[]> {
    this.lastReads = 0;
    const infos: RevisionFileInfo[] = [];
    for (let i = 0; i < files.length; i += slice) {
      if (i) await pause();
      for (const f of files.slice(i, i + slice)) infos.push(this.read(f));
    }
    this.forgetOthers(files);
    return infos;
  }

  /** Drops entries of files no longer listed, once they outnumber the listed ones. */
  private forgetOthers(files: string[]): void {
    if (this.entries.size <= files.length * 2) return;
    const keep = new Set(files);
    for (const k of this.entries.keys()) if (!keep.has(k)) this.entries.delete(k);
  }

  static load(file: string): HeaderCache {
    const cache = new HeaderCache();
    const data = readJsonCache<{ format: number; entries: [string, Entry][] }>(file);
    if (data?.format === FORMAT && Array.isArray(data.entries)) cache.entries = new Map(data.entries);
    return cache;
  }

  save(file: string): void {
    if (this.dirty && writeJsonCache(file, JSON.stringify({ format: FORMAT, entries: [...this.entries] }))) this.dirty = false;
  }
}
