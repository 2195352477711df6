/**
 * `alembic_postgresql_enum`'s names a migration uses with its `op.sync_enum_values(...)`:
 * `TableReference(table_name, column_name, table_schema=, column_type=, existing_server_default=)`
 * and `ColumnType.COMMON` / `ColumnType.ARRAY`, kept as data for the op's declaration
 * (`ops/registry/enumValues.ts`). Anything else of the package stays unknown.
 */
import { Call, PyValue } from '../../../values';
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
