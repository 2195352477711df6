/**
 * Cache files (parsed headers, compiled plans, the editor's view snapshot): JSON read leniently and
 * written atomically. A cache that cannot be read is an empty one; one that cannot be written is
 * simply not kept; neither is ever an error the user sees.
 */
import fs from 'node:fs';
import path from 'node:path';

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
