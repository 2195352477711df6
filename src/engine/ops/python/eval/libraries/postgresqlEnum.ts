/**
 * `alembic_postgresql_enum`'s names a migration uses with its `op.sync_enum_values(...)`:
 * `TableReference(table_name, column_name, table_schema=, column_type=, existing_server_default=)`
 * and `ColumnType.COMMON` / `ColumnType.ARRAY`, kept as data for the op's declaration
 * (`ops/registry/enumValues.ts`). Anything else of the package stays unknown.
 */
import { Call, PyValue, Unsupported } from '../../../values';
import { PythonError } from '../errors';
import { Builtin, Kwargs, Opaque, RtObject, Value } from '../runtime';
import { data } from '../sqlalchemy';

export const POSTGRESQL_ENUM = 'alembic_postgresql_enum';
const FIELDS = ['table_name', 'column_name', 'table_schema', 'column_type', 'existing_server_default'];

class ColumnTypeEnum extends RtObject {
  readonly typeName = 'EnumMeta';
  override getAttr(name: string, line: number): Value {
    if (name === 'COMMON' || name === 'ARRAY') return `ColumnType.${name}`;
    return super.getAttr(name, line);
  }
}

function tableReference(args: Value[], kwargs: Kwargs, line: number): Call {
  const kw = new Map<string, PyValue>();
  args.forEach((a, i) => {
    if (i >= FIELDS.length) throw new PythonError(line, 'TypeError', `TableReference.__init__() takes from 3 to ${FIELDS.length + 1} positional arguments but ${args.length + 1} were given`);
    kw.set(FIELDS[i], data(a, line, 'TableReference'));
  });
  for (const [k, v] of kwargs) {
    if (!FIELDS.includes(k)) throw new PythonError(line, 'TypeError', `TableReference.__init__() got an unexpected keyword argument '${k}'`);
    kw.set(k, data(v, line, 'TableReference'));
  }
  for (const k of FIELDS.slice(0, 2)) if (!kw.has(k)) throw new PythonError(line, 'TypeError', `TableReference.__init__() missing 1 required positional argument: '${k}'`);
  return new Call(`${POSTGRESQL_ENUM}.TableReference`, [], kw, line);
}

/** `alembic_postgresql_enum` and the sub-modules that define its public names. */
export class PostgresqlEnumModule extends RtObject {
  readonly typeName = 'module';
  constructor(private readonly path: string) { super(); }
  override getAttr(name: string): Value {
    if (name === 'TableReference') return new Builtin('TableReference', tableReference);
    if (name === 'ColumnType') return new ColumnTypeEnum();
    if (['get_enum_data', 'types'].includes(name)) return new PostgresqlEnumModule(`${this.path}.${name}`);
    return new Opaque(`${this.path}.${name}`, `a part of ${POSTGRESQL_ENUM} the embedded engine does not model (only its sync_enum_values op, TableReference and ColumnType)`);
  }
  override describe(): string { return this.path; }
}

/**
 * `affected_columns=[(table, column)]`: the package first reads each column's default from
 * information_schema (before any statement of the op), then proceeds as with TableReferences.
 * The reads are the migration's (online, in the run's transaction); on a database other than
 * PostgreSQL the package returns before reading.
 */
export function withColumnDefaults(call: Call, dialect: string | undefined, scalar: (sql: string) => Value): Call {
  const at = call.kwargs.has('affected_columns') ? -1 : 3;
  const cols = at < 0 ? call.kw('affected_columns') : call.args[at];
  const schema = call.kw('enum_schema') ?? call.args[0];
  if (dialect !== 'postgresql' || !Array.isArray(cols) || !cols.some(Array.isArray) || typeof schema !== 'string') return call;
  const lit = (s: PyValue) => `'${String(s)}'`; // as the package writes them (an f-string)
  const refs = cols.map((c) => {
    if (!Array.isArray(c)) return c;
    if (c.length < 2) throw new PythonError(call.line, 'IndexError', 'tuple index out of range');
    const [table, column, type] = c;
    if (typeof table !== 'string' || typeof column !== 'string') throw new Unsupported(call.line, `${POSTGRESQL_ENUM}: affected_columns=[(table, column)]`, 'expected the table and column names as strings');
    const dflt = scalar(`SELECT column_default FROM information_schema.columns WHERE table_schema = ${lit(schema)} AND table_name = ${lit(table)} AND column_name = ${lit(column)}`);
    const kw = new Map<string, PyValue>([['table_name', table], ['column_name', column], ['table_schema', schema], ['column_type', type ?? 'ColumnType.COMMON'], ['existing_server_default', typeof dflt === 'string' ? dflt : null]]);
    return new Call(`${POSTGRESQL_ENUM}.TableReference`, [], kw, call.line);
  });
  return at < 0
    ? new Call(call.fn, call.args, new Map([...call.kwargs, ['affected_columns', refs]]), call.line, call.skipped)
    : new Call(call.fn, call.args.map((x, i) => (i === at ? refs : x)), call.kwargs, call.line, call.skipped);
}
