/**
 * Offline (`--sql`) mode: the script Alembic writes instead of running, statement by statement
 * (tabs as four spaces, `;` and a blank line after each), with the version table's DDL when the
 * run starts from nothing and its INSERT / UPDATE / DELETE after every step. A dialect with
 * transactional DDL (PostgreSQL) gets the script wrapped in BEGIN / COMMIT; SQLite's is not.
 */
import { CommandError } from '../errors';
import { Dialect } from '../dialects';
import { versionTableDdl } from '../dialects/versionTable';
import { PlannedRevisionStep } from './migrationSource';
import { HeadMaintainer, RevisionStep, StampStep } from './steps';
import { VersionTableName } from './versionTable';

/** The text of an offline script: statements, comments, and the version table's rows as steps move it. */
class OfflineWriter {
  private out = '';
  private readonly table: string;
  readonly maintainer: HeadMaintainer;

  constructor(private readonly d: Dialect, private readonly t: VersionTableName, startHeads: string[]) {
    this.table = d.qualified(t.table, t.schema);
    // Transactional DDL: the script is one transaction, as Alembic writes it.
    if (d.transactionalDdl) this.emit('BEGIN');
    const { table } = this;
    const col = `${d.quote(t.table)}.version_num`;
    this.maintainer = new HeadMaintainer({
      insert: async (v) => this.emit(`INSERT INTO ${table} (version_num) VALUES (${d.literal(v)})${d.insertReturning ? ` RETURNING ${d.insertReturning === 'bare' ? 'version_num' : col}` : ''}`),
      delete: async (v) => this.emit(`DELETE FROM ${table} WHERE ${col} = ${d.literal(v)}`),
      update: async (from, to) => this.emit(`UPDATE ${table} SET version_num=${d.literal(to)} WHERE ${col} = ${d.literal(from)}`),
    }, startHeads);
  }

  get transactional(): boolean { return this.d.transactionalDdl; }

  emit(sql: string): void { this.out += sql.replace(/\t/g, '    ').trim() + ';\n\n'; }
  comment(text: string): void { this.out += `-- ${text}\n\n`; }

  /** Alembic writes the version table's DDL before a step whenever no head is recorded yet. */
  versionTableIfNone(): void {
    if (!this.maintainer.heads.size) this.emit(versionTableDdl(this.d, this.t));
  }

  finish(): string {
    if (this.d.transactionalDdl) this.emit('COMMIT');
    return this.out;
  }
}

const jsOffline = (file: string) =>
  new CommandError(`${file}: a TypeScript/JavaScript migration runs its queries through knex against a live database; --sql cannot write them out.`);

/** Offline mode refuses TypeScript/JavaScript revisions before planning: planning them would run their code. */
export function assertOfflinePlannable(steps: RevisionStep[]): void {
  const js = steps.find((s) => s.revision.info.kind === 'typescript' || s.revision.info.kind === 'javascript');
  if (js) throw jsOffline(js.revision.path);
}

export async function offlineScript(planned: PlannedRevisionStep[], startHeads: string[], d: Dialect, t: VersionTableName, onStep?: (s: RevisionStep) => void): Promise<string> {
  const w = new OfflineWriter(d, t, startHeads);
  const memo = new Set<string>(); // Statement.once: Alembic's DDL memo lasts the script
  for (const p of planned) {
    w.versionTableIfNone();
    onStep?.(p.step);
    w.comment(`Running ${p.step.shortLog()}`);
    for (const part of p.planned) {
      if (part.kind === 'js') throw jsOffline(p.step.revision.path);
      if (part.kind === 'online') throw new CommandError(`This migration reads from the database while it runs; --sql cannot write it out (Alembic's offline mode cannot run it either). (${p.step.revision.path}:${part.line})`);
      if (part.kind === 'recreate') {
        throw new CommandError(`This operation cannot proceed in --sql mode; batch mode with dialect sqlite requires a live database connection with which to reflect the table "${part.table}". (${p.step.revision.path}:${part.line})`);
      }
      for (const s of part.statements) {
        if (s.fail !== undefined) throw new CommandError(`${s.fail} (${p.step.revision.path}:${s.line})`);
        if (s.once !== undefined) { if (memo.has(s.once)) continue; memo.add(s.once); }
        // autocommit_block(): Alembic ends the script's transaction before the block and begins one after it.
        if (s.autocommit) { if (w.transactional) w.emit(s.autocommit === 'begin' ? 'COMMIT' : 'BEGIN'); continue; }
        if (!s.rows) { w.emit(s.sql); continue; }
        for (const row of s.rows) {
          const j = row.findIndex((v, i) => s.json?.[i] && v !== null && v !== 'null');
          if (j >= 0) throw new CommandError(`No literal value renderer is available for literal value ${String(row[j])} with datatype JSON (${p.step.revision.path}:${s.line})`);
          w.emit(inlineParams(s.sql, row.map((v, i) => (s.json?.[i] && v === 'null' ? null : v)), d));
        }
      }
    }
    await w.maintainer.updateToStep(p.step);
  }
  return w.finish();
}

/** `stamp --sql`: the version table's DDL when starting from nothing, then each step's row change. */
export async function offlineStamp(steps: StampStep[], startHeads: string[], d: Dialect, t: VersionTableName): Promise<string> {
  const w = new OfflineWriter(d, t, startHeads);
  for (const step of steps) {
    w.versionTableIfNone();
    w.comment(`Running ${step.describe()}`);
    await w.maintainer.updateToStep(step);
  }
  return w.finish();
}

/** `ensure_version --sql`: just the version table's DDL. */
export function offlineEnsureVersion(d: Dialect, t: VersionTableName): string {
  const w = new OfflineWriter(d, t, []);
  w.emit(versionTableDdl(d, t));
  return w.finish();
}

function inlineParams(sql: string, row: unknown[], d: Dialect): string {
  const lit = (v: unknown) => v === null ? 'NULL' : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'true' : 'false') : d.literal(String(v));
  return d.inlineParams(sql, row.map(lit));
}
