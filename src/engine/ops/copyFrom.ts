/**
 * `batch_alter_table(..., copy_from=table)`: the rebuild starts from the Table the migration gives
 * instead of reflecting the live one, as Alembic's ApplyBatchImpl does with it (not "reflected": its
 * unnamed CHECKs are kept; its columns lose `index=True` indexes). Needing no database, such a
 * batch compiles before the run, and so runs offline (`--sql`) too.
 */
import type { Dialect } from '../dialects';
import { OpNamer } from '../naming/opNames';
import { renderColumnConstraints, renderDefault, renderForeignKey } from './ddl/render';
import { readTable } from './ddl/schema';
import { renderType, typeBoundCheck } from './ddl/types';
import type { BatchColumn, BatchConstraint, BatchIndex } from './registry/types';
import type { TableCopy } from './sqliteBatch';
import { uniqueBody } from './sqliteReflect';
import { Call, isCall, TextClause, Unsupported } from './values';

export function tableCopyFrom(def: Call, d: Dialect): TableCopy {
  // The Table's own MetaData has no naming convention: SQLAlchemy's default applies.
  const t = readTable(def, new OpNamer(undefined, d.name));
  const pk = t.constraints.find((k) => k.kind === 'primary');
  const pkCols = pk?.columns ?? [];
  const cols: BatchColumn[] = t.columns.map((c) => {
    const check = typeBoundCheck(c.type, d, c.name);
    const extra = (c.computed ? ` ${d.computedColumn(c.computed, c.line)}` : '') + renderColumnConstraints(c, d);
    return {
      key: c.name, name: c.name, from: c.name, type: renderType(c.type, d), nullable: c.nullable, nullableUnset: !c.nullableGiven,
      dflt: c.serverDefault ? renderDefault(c.serverDefault, d) : undefined, pk: pkCols.indexOf(c.name) + 1,
      ...(extra ? { extra } : {}),
      ...(check ? { typeCheck: { name: check.name, render: (n: string) => typeBoundCheck(c.type, d, n)!.sql } } : {}),
    };
  });
  const cons: BatchConstraint[] = [];
  for (const k of t.constraints) {
    if (k.kind === 'unique') cons.push({ name: k.name, kind: 'unique', columns: k.columns, body: uniqueBody(k.columns, d), render: (x) => uniqueBody(x, d) });
    else if (k.kind === 'foreign') cons.push({ name: k.name, kind: 'foreign', columns: k.columns, body: renderForeignKey(k, d), render: (x) => renderForeignKey({ ...k, columns: x }, d) });
    // A CHECK's text names no Column object: Alembic keeps it whatever happens to the columns.
    // A type's CHECK comes with its column (typeCheck), not as a table constraint (Alembic's _is_type_bound).
    else if (k.kind === 'check' && !k.type) cons.push({ name: k.name, kind: 'check', columns: k.columns ?? [], body: `CHECK (${k.sql})` });
  }
  // The Table's own indexes (the sa.Index arguments, read first); a column's index=True ones are dropped, as Alembic does.
  const explicit = def.args.filter((a) => isCall(a, 'sa.Index')).length;
  const indexes: BatchIndex[] = t.indexes.slice(0, explicit).map((ix) => {
    const where = ix.kw.get('sqlite_where');
    return {
      name: ix.name, unique: ix.unique,
      columns: ix.columns.map((c) => {
        if (typeof c !== 'string') throw new Unsupported(ix.line, 'copy_from=: an expression index', 'not rebuilt by the embedded engine');
        return c;
      }),
      ...(where instanceof TextClause ? { where: where.sql } : {}),
    };
  });
  return { cols, cons, indexes, pkName: pk?.name };
}
