/**
 * Offline (`--sql`) mode: the script Alembic writes instead of running, statement by statement
 * (tabs as four spaces, `;` and a blank line after each), with the version table's DDL when the
 * run starts from nothing and its INSERT / UPDATE / DELETE after every step. PostgreSQL's script is
 * wrapped in BEGIN / COMMIT (transactional DDL); SQLite's is not.
 */
import { CommandError } from '../errors';
import { Dialect } from '../ops/ddl/dialect';
import { PlannedRevisionStep } from './migrationSource';
import { HeadMaintainer, RevisionStep, StampStep } from './steps';
import { VersionTableName } from './versionTable';

export async function offlineScript(planned: PlannedRevisionStep[], startHeads: string[], d: Dialect, t: VersionTableName, onStep?: (s: RevisionStep) => void): Promise<string> {
  let out = '';
  const emit = (sql: string) => { out += sql.replace(/\t/g, '    ').trim() + ';\n\n'; };
  const table = d.qualified(t.table, t.schema);
  const pg = d.name === 'postgresql';
  if (pg) emit('BEGIN');
  const rows = {
    async insert(v: string) { emit(`INSERT INTO ${table} (version_num) VALUES (${d.literal(v)})${pg ? ` RETURNING ${d.quote(t.table)}.version_num` : ''}`); },
    async delete(v: string) { emit(`DELETE FROM ${table} WHERE ${d.quote(t.table)}.version_num = ${d.literal(v)}`); },
    async update(from: string, to: string) { emit(`UPDATE ${table} SET version_num=${d.literal(to)} WHERE ${d.quote(t.table)}.version_num = ${d.literal(from)}`); },
  };
  const maintainer = new HeadMaintainer(rows, startHeads);
  for (const p of planned) {
    if (!maintainer.heads.size) {
      emit(`CREATE TABLE ${table} (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT ${d.quote(`${t.table}_pkc`)} PRIMARY KEY (version_num)\n)`);
    }
    onStep?.(p.step);
    out += `-- Running ${p.step.shortLog()}\n\n`;
    for (const part of p.planned) {
      if (part.kind === 'js') {
        throw new CommandError(`${p.step.revision.path}: a TypeScript/JavaScript migration runs its queries through knex against a live database; --sql cannot write them out.`);
      }
      if (part.kind === 'recreate') {
        throw new CommandError(`This operation cannot proceed in --sql mode; batch mode with dialect sqlite requires a live database connection with which to reflect the table "${part.table}". (${p.step.revision.path}:${part.line})`);
      }
      for (const s of part.statements) {
        if (s.fail !== undefined) throw new CommandError(`${s.fail} (${p.step.revision.path}:${s.line})`);
        if (!s.rows) { emit(s.sql); continue; }
        for (const row of s.rows) {
          const j = row.findIndex((v, i) => s.json?.[i] && v !== null && v !== 'null');
          if (j >= 0) throw new CommandError(`No literal value renderer is available for literal value ${String(row[j])} with datatype JSON (${p.step.revision.path}:${s.line})`);
          emit(inlineParams(s.sql, row.map((v, i) => (s.json?.[i] && v === 'null' ? null : v)), d));
        }
      }
    }
    await maintainer.updateToStep(p.step);
  }
  if (pg) emit('COMMIT');
  return out;
}

function inlineParams(sql: string, row: unknown[], d: Dialect): string {
  const lit = (v: unknown) => v === null ? 'NULL' : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'true' : 'false') : d.literal(String(v));
  let i = 0;
  return d.name === 'postgresql' ? sql.replace(/\$(\d+)/g, (_, n) => lit(row[Number(n) - 1])) : sql.replace(/\?/g, () => lit(row[i++]));
}

/** `stamp --sql`: the version table's DDL when starting from nothing, then each step's row change. */
export async function offlineStamp(steps: StampStep[], startHeads: string[], d: Dialect, t: VersionTableName): Promise<string> {
  let out = '';
  const emit = (sql: string) => { out += sql.replace(/\t/g, '    ').trim() + ';\n\n'; };
  const table = d.qualified(t.table, t.schema);
  const pg = d.name === 'postgresql';
  if (pg) emit('BEGIN');
  const maintainer = new HeadMaintainer({
    async insert(v: string) { emit(`INSERT INTO ${table} (version_num) VALUES (${d.literal(v)})${pg ? ` RETURNING ${d.quote(t.table)}.version_num` : ''}`); },
    async delete(v: string) { emit(`DELETE FROM ${table} WHERE ${d.quote(t.table)}.version_num = ${d.literal(v)}`); },
    async update(from: string, to: string) { emit(`UPDATE ${table} SET version_num=${d.literal(to)} WHERE ${d.quote(t.table)}.version_num = ${d.literal(from)}`); },
  }, startHeads);
  for (const step of steps) {
    if (!maintainer.heads.size) emit(`CREATE TABLE ${table} (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT ${d.quote(`${t.table}_pkc`)} PRIMARY KEY (version_num)\n)`);
    out += `-- Running ${step.describe()}\n\n`;
    await maintainer.updateToStep(step);
  }
  if (pg) emit('COMMIT');
  return out;
}
