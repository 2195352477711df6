/**
 * `op.sync_enum_values(enum_schema, enum_name, new_values, affected_columns, enum_values_to_rename=())`:
 * the op the `alembic_postgresql_enum` package registers (its env.py import adds it to `op`). It
 * replaces a PostgreSQL enum type's values: the old type renamed `<name>_old`, the new one created,
 * `=` / `!=` operators between the two for the duration, each affected column cast to the new type
 * (its default dropped and set again when the TableReference gives one, renamed values mapped),
 * then the operators and the old type dropped. The statements are the package's (its
 * `sql_commands/`), run in the run's transaction. On another database the package does nothing (it
 * logs a warning and skips), and so does this.
 *
 * `alembic_autogenerate_enums` registers an op of the same name with another signature
 * (`schema, name, old_values, new_values`): it executes COMMIT on the migration's connection and
 * adds the values in Python's set order (which differs between runs), so it is refused.
 */
import { bind } from '../args';
import { asString, asStringList, Call, isCall, optString, PyValue, Unsupported } from '../values';
import type { Out, OpSpec } from './types';

const LABEL = 'op.sync_enum_values';
const PARAMS = ['enum_schema', 'enum_name', 'new_values', 'affected_columns', 'enum_values_to_rename'];
const OPERATORS: [string, string][] = [['!=', 'new_old_not_equals'], ['=', 'new_old_equals']];

interface ColumnRef { table: string; column: string; schema: string | null; array: boolean; dflt: string | null }

/** The other package's call: its own keywords, or old and new values as two lists of strings. */
function isAutogenerateEnums(c: Call): boolean {
  if (['schema', 'name', 'old_values', 'should_reverse'].some((k) => c.kwargs.has(k))) return true;
  const fourth = c.args[3];
  return Array.isArray(fourth) && fourth.length > 0 && fourth.every((x) => typeof x === 'string');
}

function columnRef(v: PyValue, enumSchema: string, line: number): ColumnRef {
  if (Array.isArray(v)) {
    throw new Unsupported(line, `${LABEL}(affected_columns=[(table, column)])`, 'for a (table, column) pair the package reads the column\'s default from the database first; give a TableReference(...) (with existing_server_default= if the column has one)');
  }
  if (!isCall(v, 'alembic_postgresql_enum.TableReference')) throw new Unsupported(line, `${LABEL}(affected_columns=...)`, 'ValueError: Affected columns must contain tuples or TableReferences');
  const schema = v.kwargs.has('table_schema') ? optString(v.kw('table_schema'), line, 'table_schema') ?? null : enumSchema;
  return {
    table: asString(v.kw('table_name'), line, 'table_name'),
    column: asString(v.kw('column_name'), line, 'column_name'),
    schema,
    array: v.kw('column_type') === 'ColumnType.ARRAY',
    dflt: optString(v.kw('existing_server_default'), line, 'existing_server_default') ?? null,
  };
}

function renames(v: PyValue | undefined, line: number): [string, string][] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Unsupported(line, `${LABEL}(enum_values_to_rename=...)`, 'expected a list of (old, new) pairs');
  return v.map((p) => {
    const pair = asStringList(p, line, 'enum_values_to_rename');
    if (pair.length !== 2) throw new Unsupported(line, `${LABEL}(enum_values_to_rename=...)`, 'expected (old, new) pairs');
    return [pair[0], pair[1]] as [string, string];
  });
}

/** A default with the old type's name replaced by the new one, renamed values mapped (the package's rename_default_if_required). */
function renamedDefault(dflt: string, schema: string, name: string, pairs: [string, string][]): string {
  const newEnum = schema ? `${schema}.${name}` : name;
  const replaceQuoted = (s: string) => pairs.reduce((acc, [o, n]) => acc.split(`'${o}'`).join(`'${n}'`).split(`"${o}"`).join(`"${n}"`), s);
  if (dflt.startsWith('ARRAY[')) return replaceQuoted(dflt).replace(/::[.\w]+/g, `::${newEnum}`);
  const cut = dflt.indexOf('::');
  const head = replaceQuoted(dflt.slice(0, cut < 0 ? dflt.length - 1 : cut));
  return dflt.endsWith('[]') ? `${head}::${newEnum}[]` : `${head}::${newEnum}`;
}

export const syncEnumValues: OpSpec = {
  name: 'sync_enum_values',
  extension: 'alembic_postgresql_enum',
  compile(c, d) {
    if (isAutogenerateEnums(c)) {
      throw new Unsupported(c.line, `${LABEL}(schema, name, old_values, new_values)`, 'alembic_autogenerate_enums\' op executes COMMIT on the migration\'s connection and adds the values in Python\'s set order, which changes from run to run');
    }
    const a = bind(c, LABEL, PARAMS);
    const enumSchema = asString(a.enum_schema, c.line, 'enum_schema');
    const name = asString(a.enum_name, c.line, 'enum_name');
    const values = asStringList(a.new_values, c.line, 'new_values');
    if (!Array.isArray(a.affected_columns)) throw new Unsupported(c.line, `${LABEL}(affected_columns=...)`, 'expected a list of TableReference(...)');
    // The package skips every database but PostgreSQL (a logged warning).
    if (d.name !== 'postgresql') return [];
    const columns = a.affected_columns.map((v) => columnRef(v, enumSchema, c.line));
    const pairs = renames(a.enum_values_to_rename, c.line);
    const lit = (s: string) => d.literal(s);
    const type = `"${enumSchema}"."${name}"`;
    const oldName = `${name}_old`;
    const oldType = `"${enumSchema}"."${oldName}"`;
    const out: Out[] = [
      { sql: `ALTER TYPE ${type} RENAME TO ${oldName}` },
      { sql: `CREATE TYPE ${type} AS ENUM(${values.map(lit).join(', ')})` },
    ];
    for (const [operator, fn] of OPERATORS) {
      const body = pairs.length
        ? `SELECT new_enum_val::text ${operator} CASE ${pairs.map(([o, n]) => `WHEN old_enum_val::text = ${lit(o)} THEN ${lit(n)}`).join(' ')} ELSE old_enum_val::text END;`
        : `SELECT new_enum_val::text ${operator} old_enum_val::text;`;
      out.push({ sql: `CREATE FUNCTION ${fn}(new_enum_val ${type}, old_enum_val ${oldType}) RETURNS boolean AS $$ ${body} $$ LANGUAGE SQL IMMUTABLE` });
      out.push({ sql: `CREATE OPERATOR ${operator} (leftarg = ${type}, rightarg = ${oldType}, procedure = ${fn})` });
    }
    for (const col of columns) {
      const table = `${col.schema ? `"${col.schema}".` : ''}"${col.table}"`;
      const column = `"${col.column}"`;
      if (col.dflt !== null) out.push({ sql: `ALTER TABLE ${table} ALTER COLUMN ${column} DROP DEFAULT` });
      let using: string;
      if (col.array) using = `${pairs.reduce((acc, [o, n]) => `array_replace(${acc}, ${lit(o)}, ${lit(n)})`, `${column}::text[]`)}::${type}[]`;
      else if (pairs.length) using = `CASE ${pairs.map(([o, n]) => `WHEN ${column}::text = ${lit(o)} THEN ${lit(n)}::${type}`).join(' ')} ELSE ${column}::text::${type} END`;
      else using = `${column}::text::${type}`;
      out.push({ sql: `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type}${col.array ? '[]' : ''} USING ${using}` });
      if (col.dflt !== null) out.push({ sql: `ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT ${renamedDefault(col.dflt, enumSchema, name, pairs)}` });
    }
    for (const [, fn] of OPERATORS) out.push({ sql: `DROP FUNCTION ${fn}(new_enum_val ${type}, old_enum_val ${oldType}) CASCADE` });
    out.push({ sql: `DROP TYPE ${oldType}` });
    return out;
  },
  inverse: () => undefined,
};
