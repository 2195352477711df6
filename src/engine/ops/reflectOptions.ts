/**
 * What `batch_alter_table(naming_convention=..., reflect_args=[...])` changes in the table a SQLite
 * rebuild reflects (Alembic uses both only to reflect it: a batch that runs in place ignores them).
 * - `naming_convention`: the reflecting MetaData's; reflected unnamed foreign keys and unique
 *   constraints get their names from it (so `drop_constraint` can name them).
 * - `reflect_args`: `sa.Column`s that replace the reflected ones of the same name (SQLAlchemy's
 *   user overrides of autoload).
 */
import type { Dialect } from '../dialects';
import { conventionFromRecord, nameFor } from '../naming/convention';
import { renderColumnConstraints, renderDefault } from './ddl/render';
import { readColumn } from './ddl/schema';
import { renderType, typeBoundCheck } from './ddl/types';
import type { TableCopy } from './sqliteBatch';
import { Call, isCall, PyDict, PyValue, Unsupported } from './values';

export interface ReflectOptions { convention?: Record<string, string>; columns?: Call[] }

/** Reads the two options of `op.batch_alter_table` (refusing what is not applied). */
export function readReflectOptions(convention: PyValue | undefined, args: PyValue | undefined, line: number): ReflectOptions {
  const o: ReflectOptions = {};
  if (convention instanceof PyDict) {
    o.convention = {};
    for (const [k, v] of convention.entries) {
      // Reflected indexes are named already: `ix` changes nothing.
      if ((k !== 'fk' && k !== 'uq' && k !== 'ix') || typeof v !== 'string') throw new Unsupported(line, `op.batch_alter_table(..., naming_convention={${JSON.stringify(k)}: ...})`, 'only "fk", "uq" and "ix" templates are applied to a reflected table by the embedded engine');
      o.convention[k] = v;
    }
  } else if (convention !== undefined && convention !== null) throw new Unsupported(line, 'op.batch_alter_table(..., naming_convention=...)', 'expected a dict');
  if (Array.isArray(args) && args.every((a) => isCall(a, 'sa.Column'))) o.columns = args as Call[];
  else if (args !== undefined && args !== null && !(Array.isArray(args) && !args.length)) throw new Unsupported(line, 'op.batch_alter_table(..., reflect_args=...)', 'only sa.Column(...) overrides are applied by the embedded engine');
  return o;
}

export function applyReflectOptions(copy: TableCopy, table: string, o: ReflectOptions, d: Dialect): void {
  for (const call of o.columns ?? []) {
    const spec = readColumn(call, call.line);
    const i = copy.cols.findIndex((c) => c.name === spec.name);
    const was = copy.cols[i];
    if (!was) throw new Unsupported(call.line, `reflect_args=[sa.Column(${JSON.stringify(spec.name)}, ...)]`, `the table ${table} has no such column: adding columns this way is not applied by the embedded engine`);
    if (was.pk && !spec.primaryKey) throw new Unsupported(call.line, `reflect_args=[sa.Column(${JSON.stringify(spec.name)}, ...)]`, `Trying to redefine primary-key column ${spec.name} as a non-primary-key column on table ${table} (SQLAlchemy raises here)`);
    if (spec.foreignKeys.length || copy.cons.some((k) => k.kind === 'foreign' && k.columns.includes(spec.name))) {
      throw new Unsupported(call.line, `reflect_args=[sa.Column(${JSON.stringify(spec.name)}, ...)]`, 'overriding a column with foreign keys is not applied by the embedded engine');
    }
    const check = typeBoundCheck(spec.type, d, spec.name);
    const extra = renderColumnConstraints(spec, d);
    copy.cols[i] = {
      key: was.key, name: was.name, from: was.from, pk: was.pk, type: renderType(spec.type, d), nullable: spec.nullable, nullableUnset: !spec.nullableGiven,
      dflt: spec.serverDefault ? renderDefault(spec.serverDefault, d) : undefined,
      ...(extra ? { extra } : {}),
      ...(check ? { typeCheck: { name: check.name, render: (n: string) => typeBoundCheck(spec.type, d, n)!.sql } } : {}),
    };
  }
  if (o.convention) {
    const convention = conventionFromRecord(o.convention);
    for (const k of copy.cons) {
      if (k.name || (k.kind !== 'foreign' && k.kind !== 'unique')) continue;
      // SQLAlchemy reflects the referred table into the same MetaData: its tokens resolve.
      k.name = nameFor(convention, {
        kind: k.kind === 'foreign' ? 'fk' : 'uq', table, columns: k.columns, dialect: d.name as 'sqlite',
        ...(k.ref ? { referredTable: k.ref.table, referredColumns: k.ref.columns, referredTableKnown: true } : {}),
      });
    }
  }
}
