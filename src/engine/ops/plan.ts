/**
 * Turns a migration's op calls into the SQL Alembic would run, per dialect, before anything runs:
 * a construct that cannot be compiled stops the plan (and so the run) with its line. Batch blocks
 * on SQLite are planned here and given their statements at run time, from the live table.
 */
import { bind } from './args';
import { assertAlterInPlace, Dialect, NotPossibleOnDialect } from '../dialects';
import { commentOn, createTableStatements, renderColumn, renderConstraint, renderCreateIndex, renderDefault, renderForeignKey } from './ddl/render';
import { readColumn, readConstraint, readDefault, readTable, fkOptions, IndexSpec } from './ddl/schema';
import { readType, renderType } from './ddl/types';
import { BatchBlock, OpCall, OpStatement } from './python/reader';
import { bulkInsert } from './bulkInsert';
import { asString, asStringList, Call, isCall, optString, PyValue, TextClause, Unsupported } from './values';

export interface Statement {
  sql: string;
  /** Parameter rows (bulk_insert): the statement runs once per row. */
  rows?: unknown[][];
  /** Which parameters are JSON (offline mode cannot render them as literals, as in SQLAlchemy). */
  json?: boolean[];
  /** Not SQL: the migration raises here (`raise RuntimeError("...")`); running it fails with this. */
  fail?: string;
  line: number;
}

/** A batch block whose statements depend on the table as it is when the run reaches it (SQLite). */
export interface RecreatePlan { kind: 'recreate'; table: string; schema?: string; ops: OpCall[]; line: number }
/** A TypeScript/JavaScript migration: its function, called with knex on the run's transaction. */
export interface JsPlan { kind: 'js'; fn: (knex: unknown) => unknown; line: number }
export type PlannedStep = { kind: 'sql'; statements: Statement[] } | RecreatePlan | JsPlan;

export { NotPossibleOnDialect };

export function planOps(ops: OpStatement[], d: Dialect): PlannedStep[] {
  const out: PlannedStep[] = [];
  for (const s of ops) {
    if (s.kind === 'batch') out.push(...planBatch(s, d));
    else out.push({ kind: 'sql', statements: planOp(s, d).map((x) => ({ ...x, line: x.line ?? s.line })) });
  }
  return out;
}

type Out = { sql: string; rows?: unknown[][]; json?: boolean[]; fail?: string; line?: number };

/** `None` where Alembic needs a name: it comes from the naming convention of env.py's target_metadata. */
function needsConvention(c: Call, what: string): never {
  throw new Unsupported(c.line, `${what}(None, ...)`, "an unnamed index or constraint: its name comes from the naming convention of env.py's target_metadata, which the embedded engine does not read");
}

function planOp(s: OpCall, d: Dialect, table?: { name: string; schema?: string }): Out[] {
  const c = s.call;
  if (s.name === 'raise') return [{ sql: '', fail: String(c.args[0] ?? 'the migration raised an exception') }];
  if (s.name === 'print') return [];
  if (['create_index', 'drop_index', 'drop_constraint'].includes(s.name) && (c.args[0] === null || c.kw(s.name === 'drop_constraint' ? 'constraint_name' : 'index_name') === null)) needsConvention(c, s.name);
  const name = (v: PyValue | undefined, what: string) => asString(v, c.line, what);
  // Batch ops take the table from the block; direct ops as their first argument.
  const T = table ? [] : ['table_name'];
  switch (s.name) {
    case 'create_table': return createTableStatements(readTable(c), d).map((sql) => ({ sql }));
    case 'drop_table': {
      const a = bind(c, 'op.drop_table', ['table_name'], ['schema', 'if_exists'], true);
      return [{ sql: `DROP TABLE ${a.if_exists === true ? 'IF EXISTS ' : ''}${d.qualified(name(a.table_name, 'table name'), optString(a.schema, c.line, 'schema'))}` }];
    }
    case 'rename_table': {
      const a = bind(c, 'op.rename_table', ['old_table_name', 'new_table_name'], ['schema']);
      const schema = optString(a.schema, c.line, 'schema');
      return [{ sql: `ALTER TABLE ${d.qualified(name(a.old_table_name, 'table name'), schema)} RENAME TO ${d.quote(name(a.new_table_name, 'table name'))}` }];
    }
    case 'add_column': {
      const a = bind(c, 'add_column', [...T, 'column'], ['schema', 'insert_before', 'insert_after', 'if_not_exists']);
      const tname = table?.name ?? name(a.table_name, 'table name');
      const schema = table?.schema ?? optString(a.schema, c.line, 'schema');
      const col = readColumn(a.column!, c.line);
      const out: Out[] = [{ sql: `ALTER TABLE ${d.qualified(tname, schema)} ADD COLUMN ${renderColumn(col, d)}` }];
      // Constraints the column brings are added separately (SQLite cannot: Alembic stops).
      const adds = [...(col.unique && !col.index ? [{ kind: 'unique' as const, columns: [col.name] }] : []), ...col.foreignKeys.map((fk) => ({ kind: 'foreign' as const, ...fk }))];
      for (const k of adds) {
        assertAlterInPlace(d, c.line, `add_column(... ${k.kind === 'foreign' ? 'ForeignKey' : 'unique=True'} ...)`);
        out.push({ sql: `ALTER TABLE ${d.qualified(tname, schema)} ADD ${renderConstraint(k, d)}` });
      }
      if (col.index) out.push({ sql: renderCreateIndex({ name: `ix_${tname}_${col.name}`, table: tname, schema, columns: [col.name], unique: col.unique, kw: new Map(), line: c.line }, d) });
      if (d.comments && col.comment) out.push({ sql: commentOn(d, 'COLUMN', `${d.qualified(tname, schema)}.${d.quote(col.name)}`, col.comment) });
      return out;
    }
    case 'drop_column': {
      const a = bind(c, 'drop_column', [...T, 'column_name'], ['schema', 'if_exists'], true);
      return [{ sql: `ALTER TABLE ${d.qualified(table?.name ?? name(a.table_name, 'table name'), table?.schema ?? optString(a.schema, c.line, 'schema'))} DROP COLUMN ${d.quote(name(a.column_name, 'column name'))}` }];
    }
    case 'alter_column': return alterColumn(s, d, table);
    case 'create_index': {
      const a = bind(c, 'create_index', ['index_name', ...T, 'columns'], ['schema', 'unique', 'if_not_exists', 'quote', 'info'], true);
      const cols = Array.isArray(a.columns) ? a.columns : [a.columns ?? null];
      const ix: IndexSpec = {
        name: name(a.index_name, 'index name'), table: table?.name ?? name(a.table_name, 'table name'),
        schema: table?.schema ?? optString(a.schema, c.line, 'schema'),
        columns: cols.map((x) => (x instanceof TextClause ? x : name(x, 'index column'))), unique: a.unique === true,
        kw: new Map([...c.kwargs].filter(([k]) => k !== 'schema' && k !== 'unique')), line: c.line,
      };
      return [{ sql: renderCreateIndex(ix, d) }];
    }
    case 'drop_index': {
      const a = bind(c, 'drop_index', ['index_name', ...(table ? [] : ['table_name'])], ['schema', 'if_exists'], true);
      const schema = table?.schema ?? optString(a.schema, c.line, 'schema');
      return [{ sql: `DROP INDEX ${a.if_exists === true ? 'IF EXISTS ' : ''}${d.qualified(name(a.index_name, 'index name'), schema)}` }];
    }
    case 'create_foreign_key': {
      const a = bind(c, 'create_foreign_key', ['constraint_name', ...(table ? [] : ['source_table']), 'referent_table', 'local_cols', 'remote_cols'],
        ['onupdate', 'ondelete', 'deferrable', 'initially', 'match', 'source_schema', 'referent_schema', 'use_alter']);
      const src = table?.name ?? name(a.source_table, 'table name');
      assertAlterInPlace(d, c.line, 'op.create_foreign_key()');
      const fk = {
        name: optString(a.constraint_name, c.line, 'constraint name'), columns: asStringList(a.local_cols, c.line, 'local columns'),
        refTable: name(a.referent_table, 'referent table'), refSchema: optString(a.referent_schema, c.line, 'referent_schema'),
        refColumns: asStringList(a.remote_cols, c.line, 'remote columns'), ...fkOptions(c),
      };
      return [{ sql: `ALTER TABLE ${d.qualified(src, table?.schema ?? optString(a.source_schema, c.line, 'source_schema'))} ADD ${fk.name ? `CONSTRAINT ${d.quote(fk.name)} ` : ''}${renderForeignKey(fk, d)}` }];
    }
    case 'create_unique_constraint': case 'create_primary_key': case 'create_check_constraint': {
      const check = s.name === 'create_check_constraint';
      const a = bind(c, s.name, ['constraint_name', ...T, check ? 'condition' : 'columns'], ['schema', 'deferrable', 'initially']);
      assertAlterInPlace(d, c.line, `op.${s.name}()`);
      const cname = optString(a.constraint_name, c.line, 'constraint name');
      const k = check
        ? readConstraint(new Call('sa.CheckConstraint', [a.condition ?? null], new Map([['name', cname ?? null]]), c.line), '')
        : { kind: s.name === 'create_primary_key' ? 'primary' as const : 'unique' as const, name: cname, columns: asStringList(a.columns, c.line, 'columns') };
      return [{ sql: `ALTER TABLE ${d.qualified(table?.name ?? name(a.table_name, 'table name'), table?.schema ?? optString(a.schema, c.line, 'schema'))} ADD ${renderConstraint(k, d)}` }];
    }
    case 'drop_constraint': {
      const a = bind(c, 'drop_constraint', ['constraint_name', ...T, 'type_'], ['schema', 'if_exists']);
      assertAlterInPlace(d, c.line, 'op.drop_constraint()');
      return [{ sql: `ALTER TABLE ${d.qualified(table?.name ?? name(a.table_name, 'table name'), table?.schema ?? optString(a.schema, c.line, 'schema'))} DROP CONSTRAINT ${a.if_exists === true ? 'IF EXISTS ' : ''}${d.quote(name(a.constraint_name, 'constraint name'))}` }];
    }
    case 'execute': {
      const a = bind(c, 'op.execute', ['sqltext'], ['execution_options']);
      const v = a.sqltext;
      const sql = v instanceof TextClause ? v.sql : typeof v === 'string' ? v : undefined;
      if (sql === undefined) throw new Unsupported(c.line, 'op.execute(...)', 'expected an SQL string or sa.text(...) (a SQLAlchemy expression needs Python)');
      if (/(?<![:\w\\]):\w+(?!:)/.test(sql)) throw new Unsupported(c.line, 'op.execute(...)', 'the SQL has :name bind parameters, which need values from Python');
      return [{ sql: sql.replace(/\\:/g, ':') }];
    }
    case 'bulk_insert': {
      const a = bind(c, 'op.bulk_insert', ['table', 'rows'], ['multiinsert']);
      return bulkInsert(a.table, a.rows, d, c.line);
    }
    case 'create_table_comment': case 'drop_table_comment': {
      const a = bind(c, s.name, ['table_name', ...(s.name === 'create_table_comment' ? ['comment'] : [])], ['existing_comment', 'schema']);
      if (!d.comments) return [];
      const comment = s.name === 'create_table_comment' ? name(a.comment, 'comment') : null;
      return [{ sql: commentOn(d, 'TABLE', d.qualified(name(a.table_name, 'table name'), optString(a.schema, c.line, 'schema')), comment) }];
    }
  }
  throw new Unsupported(c.line, `op.${s.name}()`, 'not an operation the embedded engine runs');
}

function alterColumn(s: OpCall, d: Dialect, table?: { name: string; schema?: string }): Out[] {
  const c = s.call;
  const a = bind(c, 'alter_column', [...(table ? [] : ['table_name']), 'column_name'],
    ['nullable', 'comment', 'server_default', 'new_column_name', 'type_', 'existing_type', 'existing_server_default', 'existing_nullable', 'existing_comment', 'schema', 'autoincrement', 'existing_autoincrement', 'insert_before', 'insert_after'], true);
  const tname = table?.name ?? asString(a.table_name, c.line, 'table name');
  const t = d.qualified(tname, table?.schema ?? optString(a.schema, c.line, 'schema'));
  const col = d.quote(asString(a.column_name, c.line, 'column name'));
  const out: Out[] = [];
  const using = c.kw('postgresql_using');
  const typeSql = a.type_ !== undefined && a.type_ !== null ? renderType(readType(a.type_, c.line), d) : undefined;
  if (a.nullable !== undefined || c.kwargs.has('server_default') || typeSql || a.comment !== undefined) assertAlterInPlace(d, c.line, 'op.alter_column()');
  if (typeSql) out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} TYPE ${typeSql}${using instanceof TextClause || typeof using === 'string' ? ` USING ${using instanceof TextClause ? using.sql : using}` : ''}` });
  if (a.nullable !== undefined && a.nullable !== null) out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} ${a.nullable ? 'DROP NOT NULL' : 'SET NOT NULL'}` });
  if (c.kwargs.has('server_default') && a.server_default !== false) {
    const dflt = readDefault(a.server_default, c.line);
    out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} ${dflt ? `SET DEFAULT ${renderDefault(dflt, d)}` : 'DROP DEFAULT'}` });
  }
  if (d.comments && a.comment !== undefined && a.comment !== false) {
    out.push({ sql: commentOn(d, 'COLUMN', `${t}.${col}`, typeof a.comment === 'string' ? a.comment : null) });
  }
  if (a.new_column_name !== undefined && a.new_column_name !== null) {
    out.push({ sql: `ALTER TABLE ${t} RENAME ${col} TO ${d.quote(asString(a.new_column_name, c.line, 'new column name'))}` });
  }
  return out;
}

/**
 * Alembic's batch mode: on PostgreSQL the ops run as plain ALTERs; on SQLite, when every op can be
 * done in place (add_column without an SQL-expression default, create/drop index) likewise, else
 * the table is rebuilt ("move and copy").
 */
function planBatch(b: BatchBlock, d: Dialect): PlannedStep[] {
  const a = bind(b.call, 'op.batch_alter_table', ['table_name', 'schema', 'recreate', 'partial_reordering', 'copy_from', 'table_args', 'table_kwargs', 'reflect_args', 'reflect_kwargs', 'naming_convention']);
  const tname = asString(a.table_name, b.line, 'table name');
  const schema = optString(a.schema, b.line, 'schema');
  for (const k of ['copy_from', 'table_args', 'table_kwargs', 'reflect_args', 'reflect_kwargs', 'naming_convention', 'partial_reordering'] as const) {
    if (a[k] !== undefined && a[k] !== null) throw new Unsupported(b.line, `op.batch_alter_table(..., ${k}=...)`, 'a batch option the embedded engine does not apply yet');
  }
  const recreate = a.recreate === undefined ? 'auto' : a.recreate;
  if (recreate !== 'auto' && recreate !== 'always' && recreate !== 'never') throw new Unsupported(b.line, 'recreate=...', "expected 'auto', 'always' or 'never'");
  // A database that can ALTER in place never needs the rebuild (Alembic's `requires_recreate_in_batch`).
  const alters = !d.cannotAlterInPlace;
  const inPlace = alters ? recreate !== 'always' : recreate === 'never' || (recreate === 'auto' && b.ops.every(canRunInPlaceOnSqlite));
  if (alters && recreate === 'always') throw new Unsupported(b.line, "recreate='always'", `rebuilding a ${d.displayName} table is not supported by the embedded engine yet`);
  if (inPlace) return b.ops.map((op) => ({ kind: 'sql' as const, statements: planOp(op, d, { name: tname, schema }).map((x) => ({ ...x, line: x.line ?? op.line })) }));
  // Validate every op now, so the run stops before its first statement.
  for (const op of b.ops) checkRecreateOp(op);
  return [{ kind: 'recreate', table: tname, schema, ops: b.ops, line: b.line }];
}

function canRunInPlaceOnSqlite(op: OpCall): boolean {
  if (op.name === 'create_index' || op.name === 'drop_index') return true;
  if (op.name !== 'add_column') return false;
  const col = op.call.args[0];
  const dflt = isCall(col) ? col.kw('server_default') : undefined;
  return !(isCall(dflt) || dflt instanceof TextClause);
}

function checkRecreateOp(op: OpCall): void {
  const c = op.call;
  switch (op.name) {
    case 'add_column': readColumn(bind(c, 'add_column', ['column'], ['insert_before', 'insert_after']).column!, c.line); return;
    case 'alter_column': {
      const a = bind(c, 'alter_column', ['column_name'], [], true);
      if (a.type_ !== undefined && a.type_ !== null) readType(a.type_, c.line);
      if (c.kwargs.has('server_default')) readDefault(a.server_default === false ? null : a.server_default, c.line);
      return;
    }
    case 'create_foreign_key': case 'create_unique_constraint': case 'create_check_constraint': case 'create_primary_key':
    case 'drop_constraint': case 'drop_column': case 'create_index': case 'drop_index':
      return;
  }
  throw new Unsupported(c.line, `batch_op.${op.name}()`, 'not supported in batch mode by the embedded engine');
}

