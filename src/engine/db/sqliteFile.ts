/**
 * A SQLite database file edited through sql.js, which works on an in-memory copy: the file is read
 * once and written back once, atomically, only if nobody else touched it in between. The rules come
 * from reproduced data loss (see docs/RELIABILITY.md): never open a file whose WAL holds frames or
 * whose rollback journal is hot, fingerprint it at load, re-check before the rename, keep WAL mode.
 * Node has no fcntl locks: the window between the last check and the rename cannot be closed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'sql.js';
import { CommandError } from '../errors';
import { loadSqlJs } from './sqlJs';

export interface Fingerprint { size: number; mtimeMs: number; ctimeMs: number; ino: number; sha256: string }

/** Bytes 18 and 19 of the header: 2 and 2 when the database is in WAL mode. */
const WAL_BYTES = [18, 19];

function fingerprint(file: string): Fingerprint | undefined {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch { return undefined; }
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, sha256 };
}

const same = (a: Fingerprint | undefined, b: Fingerprint | undefined) =>
  a === b || (!!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.sha256 === b.sha256);

function sideFileProblem(file: string): string | undefined {
  for (const [suffix, what] of [['-wal', 'write-ahead log'], ['-journal', 'rollback journal']] as const) {
    let size: number;
    try { size = fs.statSync(file + suffix).size; } catch { continue; }
    if (size > 0) {
      return `${path.basename(file)}${suffix} holds ${size} bytes: another program has the database open in the middle of a write` +
        ` (or crashed), and its ${what} has not been folded into the file yet`;
    }
  }
  return undefined;
}

const HINT = 'Stop the application that uses the database (or run PRAGMA wal_checkpoint(TRUNCATE) in it), then run the command again.';

export class SqliteFile {
  private constructor(
    readonly file: string,
    readonly db: Database,
    private loaded: Fingerprint | undefined,
    private readonly walMode: boolean,
  ) {}

  /** Opens `file` (an absent file is an empty database, created on save). */
  static async open(file: string): Promise<SqliteFile> {
    removeStaleTempFiles(file);
    const problem = sideFileProblem(file);
    if (problem) throw new CommandError(`Refusing to open ${file}: ${problem}. Nothing was changed.`, file, HINT);
    const before = fingerprint(file);
    const bytes = before ? fs.readFileSync(file) : undefined;
    if (bytes && crypto.createHash('sha256').update(bytes).digest('hex') !== before!.sha256) {
      throw new CommandError(`${file} changed while it was being read. Nothing was changed.`, file, 'Run the command again.');
    }
    const SQL = await loadSqlJs();
    let db: Database;
    try {
      db = new SQL.Database(bytes);
      db.exec('PRAGMA schema_version'); // fails now, not mid-run, on a file that is not a database
    } catch (e) {
      throw new CommandError(`${file} is not a SQLite database (${(e as Error).message}). Nothing was changed.`, file,
        'Check sqlalchemy.url / DATABASE_URL: it should point at the SQLite file of this project.');
    }
    const walMode = !!bytes && bytes.length > 19 && WAL_BYTES.every((i) => bytes[i] === 2);
    return new SqliteFile(file, db, before, walMode);
  }

  /**
   * Writes the database back: refuses if the file or its side files changed since it was read,
   * then temp file + fsync + re-check + rename + fsync of the folder.
   */
  save(): void {
    const check = () => {
      const problem = sideFileProblem(this.file);
      if (problem) throw new CommandError(`Not saving ${this.file}: ${problem}. The file was left as it was.`, this.file, HINT);
      if (!same(fingerprint(this.file), this.loaded)) {
        throw new CommandError(`Not saving ${this.file}: another program changed it since it was read. The file was left as it was; your changes were not written.`,
          this.file, 'Run the command again once the other program is done.');
      }
    };
    check();
    const bytes = this.db.export();
    // Nothing changed (e.g. a stamp to where the database already is): leave the file alone.
    if (this.loaded && crypto.createHash('sha256').update(bytes).digest('hex') === this.loaded.sha256) return;
    if (this.walMode) for (const i of WAL_BYTES) bytes[i] = 2; // export() writes a rollback-journal header
    const dir = path.dirname(this.file);
    const tmp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    const mode = this.loaded ? fs.statSync(this.file).mode & 0o777 : 0o644;
    try {
      const fd = fs.openSync(tmp, 'wx', mode);
      try {
        fs.writeSync(fd, bytes);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      check();
      if (this.loaded) this.beforeReplace?.(this.file);
      fs.renameSync(tmp, this.file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      if (e instanceof CommandError) throw e;
      throw new CommandError(`Could not write ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. The file was left as it was.`,
        this.file, 'Check that the folder is writable and the disk has room.');
    }
    try {
      const dfd = fs.openSync(dir, 'r');
      try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
    } catch { /* some file systems cannot fsync a folder; the rename is done */ }
    this.loaded = fingerprint(this.file);
  }

  close(): void {
    this.db.close();
  }

  /** Called with the file just before a changed copy replaces it (backups). */
  beforeReplace?: (file: string) => void;
}

/** Temp files of a save that was killed before its rename (their process is gone): never the database. */
function removeStaleTempFiles(file: string): void {
  const dir = path.dirname(file);
  const re = new RegExp(`^\\.${path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return; }
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) { try { process.kill(pid, 0); alive = true; } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; } }
    if (!alive) fs.rmSync(path.join(dir, name), { force: true });
  }
}
