/**
 * Backups of a SQLite database before a run changes it (the Lexikon guide's rule: back up before
 * you migrate): a timestamped copy in `.migrations-backups/` beside the file, the newest N kept, and
 * a restore that is itself undoable (the current file is backed up first) and atomic.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from '../errors';

export const backupFolder = (file: string): string => path.join(path.dirname(file), '.migrations-backups');

/** UTC time as it appears in backup names: 20261125-064212-123 (sorts as it reads). */
export const backupStamp = (d = new Date()) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\.(\d{3})Z$/, '-$1');

export interface Backup { path: string; date: Date; size: number }

export function makeBackup(file: string, keep: number): string | undefined {
  if (keep <= 0 || !fs.existsSync(file)) return undefined;
  const dir = backupFolder(file);
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${path.basename(file)}.${backupStamp()}`);
  let target = `${base}.bak`;
  for (let i = 1; fs.existsSync(target); i++) target = `${base}${String(i).padStart(3, '0')}.bak`; // two runs in one millisecond
  fs.copyFileSync(file, target, fs.constants.COPYFILE_EXCL);
  const fd = fs.openSync(target, 'r');
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  for (const old of listBackups(file).slice(keep)) fs.rmSync(old.path, { force: true });
  return target;
}

export function listBackups(file: string): Backup[] {
  const dir = backupFolder(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return []; }
  return names.filter((n) => n.startsWith(prefix) && n.endsWith('.bak')).sort().reverse().map((n) => {
    const p = path.join(dir, n);
    const m = /\.(\d{8})-(\d{6})-(\d{3})\d*\.bak$/.exec(n);
    const date = m ? new Date(`${m[1].slice(0, 4)}-${m[1].slice(4, 6)}-${m[1].slice(6)}T${m[2].slice(0, 2)}:${m[2].slice(2, 4)}:${m[2].slice(4)}.${m[3]}Z`) : fs.statSync(p).mtime;
    return { path: p, date, size: fs.statSync(p).size };
  });
}

/** Puts `backup` in place of `file`, atomically; the current file is backed up first. */
export function restoreBackup(file: string, backup: string, keep: number): string | undefined {
  for (const side of ['-wal', '-journal']) {
    if (fs.existsSync(file + side) && fs.statSync(file + side).size > 0) {
      throw new CommandError(`Not restoring: ${file}${side} holds changes of a program using the database. Nothing was changed.`, file,
        'Stop the application that uses the database, then restore again.');
    }
  }
  const saved = makeBackup(file, Math.max(keep, 1) + 1); // keep room for this safety copy
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.restore.tmp`);
  fs.copyFileSync(backup, tmp);
  const fd = fs.openSync(tmp, 'r');
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
  return saved;
}
