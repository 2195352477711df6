/**
 * Lists candidate revision files of the version locations in Alembic's order: each location in
 * turn, files sorted by name, sub-folders (sorted) only with `recursive_version_locations`,
 * `__pycache__` skipped, and a file reached twice (through two locations) read once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { revisionFileKind } from './revisionFile';

export interface ListedFile { path: string; name: string }

/** Python's `sorted()` on str compares code points; JS's default sort compares UTF-16 units. */
const byCodePoint = (a: string, b: string) => {
  const ai = [...a], bi = [...b];
  for (let i = 0; i < Math.min(ai.length, bi.length); i++) {
    const d = ai[i].codePointAt(0)! - bi[i].codePointAt(0)!;
    if (d) return d;
  }
  return ai.length - bi.length;
};
const isAscii = (name: string) => {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 127) return false;
  return true;
};
const sortNames = (names: string[]) => names.every(isAscii) ? names.sort() : names.sort(byCodePoint);

export function listRevisionFiles(locations: string[], recursive: boolean, warn: (m: string) => void): ListedFile[] {
  const out: ListedFile[] = [];
  const seen = new Set<string>();
  const walk = (dir: string) => {
    if (dir.endsWith('__pycache__')) return;
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    const files: string[] = [];
    const dirs: string[] = [];
    const links = new Set<string>();
    // Only regular files are read: a FIFO or device named like a revision would block the read forever.
    const special = (name: string) => { if (revisionFileKind(name)) warn(`${path.join(dir, name)} is not a regular file; ignoring it.`); };
    for (const e of entries) {
      if (e.isDirectory()) dirs.push(e.name);
      else if (e.isSymbolicLink()) {
        links.add(e.name);
        try {
          const st = fs.statSync(path.join(dir, e.name));
          if (st.isDirectory()) dirs.push(e.name);
          else if (st.isFile()) files.push(e.name);
          else special(e.name);
        } catch { /* dangling link */ }
      } else if (e.isFile()) files.push(e.name);
      else special(e.name);
    }
    // Alembic prints resolved paths; resolving the folder once spares a realpath per file.
    let realDir = dir;
    try { realDir = fs.realpathSync(dir); } catch { /* keep the folder as given */ }
    for (const name of sortNames(files)) {
      if (!revisionFileKind(name)) continue;
      let real = path.join(realDir, name);
      if (links.has(name)) {
        try { real = fs.realpathSync(real); } catch { /* keep the path as listed */ }
      }
      if (seen.has(real)) {
        warn(`File ${real} loaded twice! ignoring. Please ensure version_locations is unique.`);
        continue;
      }
      seen.add(real);
      out.push({ path: real, name });
    }
    if (recursive) for (const d of sortNames(dirs)) walk(path.join(dir, d));
  };
  for (const loc of locations) if (fs.existsSync(loc)) walk(loc);
  return out;
}
