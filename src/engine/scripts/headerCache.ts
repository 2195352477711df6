/**
 * Parsed revision headers keyed by path and file fingerprint (size, mtime, inode), so that a
 * refresh after one file changed re-reads that file only. Can be saved to and loaded from disk
 * (the CLI keeps one per project in the user's cache folder).
 */
import fs from 'node:fs';
import path from 'node:path';
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
    if (this.entries.size > files.length * 2) this.prune(new Set(files));
    return infos;
  }

  private prune(keep: Set<string>): void {
    for (const k of this.entries.keys()) if (!keep.has(k)) this.entries.delete(k);
  }

  static load(file: string): HeaderCache {
    const cache = new HeaderCache();
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: number; entries: [string, Entry][] };
      if (data.format === FORMAT) cache.entries = new Map(data.entries);
    } catch { /* a missing or unreadable cache is an empty one */ }
    return cache;
  }

  /** Saves atomically (temp file + rename); a cache that cannot be written is simply not kept. */
  save(file: string): void {
    if (!this.dirty) return;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, entries: [...this.entries] }));
      fs.renameSync(tmp, file);
      this.dirty = false;
    } catch { /* best effort */ }
  }
}
