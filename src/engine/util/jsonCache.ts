/**
 * Cache files (parsed headers, compiled plans, the editor's view snapshot): JSON read leniently and
 * written atomically. A cache that cannot be read is an empty one; one that cannot be written is
 * simply not kept; neither is ever an error the user sees.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A cache file's name: its kind and a short hash of what it belongs to (a project root, a folder set). */
export function cacheFileName(kind: string, owner: string): string {
  return `${kind}-${crypto.createHash('sha1').update(owner).digest('hex').slice(0, 16)}.json`;
}

export function readJsonCache<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Temp file + rename: a reader never sees half a file. Returns whether it was written. */
export function writeJsonCache(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing more to do */ }
    return false;
  }
}
