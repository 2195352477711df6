/**
 * `op.bulk_insert(table, rows)`: one INSERT run for every row (SQLAlchemy's executemany), with the
 * values converted as SQLAlchemy's types bind them (per dialect: Boolean as 1/0 on SQLite; JSON serialized the
 * way Python's json.dumps writes it, None as JSON 'null' in a JSON column).
 */
import type { Dialect } from '../dialects';
import { readColumn } from './ddl/schema';
import { readType, TypeSpec } from './ddl/types';
import { asString, isCall, optString, PyDict, PyValue, TableRef, Unsupported } from './values';
import { jsonDumps } from './python/eval/jsonModule';
import { PythonError } from './python/eval/errors';
import type { Value } from './python/eval/runtime';

interface InsertColumn { name: string; type?: TypeSpec; pythonDefault: boolean }

export function bulkInsert(table: PyValue | undefined, rows: PyValue | undefined, d: Dialect, line: number): { sql: string; rows: unknown[][]; json: boolean[] }[] {
  const { name, schema, columns } = readInsertTable(table, line);
  if (!Array.isArray(rows)) throw new Unsupported(line, 'op.bulk_insert(table, rows)', 'List expected');
  if (!rows.length) return [];
  if (!rows.every((r): r is PyDict => r instanceof PyDict)) throw new Unsupported(line, 'op.bulk_insert(table, rows)', 'List of dictionaries expected');
  const keys = [...rows[0].entries.keys()].map(String);
  const unknown = keys.filter((k) => !columns.some((c) => c.name === k));
  if (unknown.length) throw new Unsupported(line, 'op.bulk_insert(...)', `Unconsumed column names: ${unknown.join(', ')}`);
  const used = columns.filter((c) => keys.includes(c.name));
  const pyDefaults = columns.filter((c) => c.pythonDefault && !keys.includes(c.name));
  if (pyDefaults.length) throw new Unsupported(line, 'op.bulk_insert(...)', `column ${pyDefaults[0].name} would get its Python-side default=, which needs Python`);
  const values = rows.map((r, i) => used.map((c) => {
    if (!r.entries.has(c.name)) throw new Unsupported(line, 'op.bulk_insert(...)', `A value is required for bind parameter '${c.name}', in parameter group ${i}`);
    return bindValue(r.entries.get(c.name)!, c.type, d, line);
  }));
  const placeholders = used.map((_, i) => d.placeholder(i + 1)).join(', ');
  const json = used.map((c) => c.type?.name === 'JSON' || c.type?.name === 'JSONB');
  return [{ sql: `INSERT INTO ${d.qualified(name, schema)} (${used.map((c) => d.quote(c.name)).join(', ')}) VALUES (${placeholders})`, rows: values, json }];
}

function readInsertTable(v: PyValue | undefined, line: number): { name: string; schema?: string; columns: InsertColumn[] } {
  if (v instanceof TableRef) {
    const c = v.call;
    const cols = c.args.slice(1).filter((a) => isCall(a, 'sa.Column')).map((a) => readColumn(a, c.line));
    return { name: asString(c.args[0], c.line, 'table name'), schema: optString(c.kw('schema'), c.line, 'schema'), columns: cols.map((x) => ({ name: x.name, type: x.type, pythonDefault: x.pythonDefault })) };
  }
  if (isCall(v, 'sa.table')) {
    const columns = v.args.slice(1).map((a) => {
      if (!isCall(a, 'sa.column', 'sa.Column')) throw new Unsupported(v.line, 'sa.table(...)', 'expected sa.column(...) arguments');
      const type = a.args[1] ?? a.kw('type_');
      return { name: asString(a.args[0], a.line, 'column name'), type: type === undefined ? undefined : readType(type, a.line), pythonDefault: a.has('default') };
    });
    return { name: asString(v.args[0], v.line, 'table name'), schema: optString(v.kw('schema'), v.line, 'schema'), columns };
  }
  throw new Unsupported(line, 'op.bulk_insert(table, ...)', 'the table must come from op.create_table(...) or sa.table(...) in this function');
}

function bindValue(v: PyValue, type: TypeSpec | undefined, d: Dialect, line: number): unknown {
  const kind = type?.name;
  if (kind === 'JSON' || kind === 'JSONB') return pyJsonDumps(v, line);
  if (v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return d.bindParam(v, kind, line);
  throw new Unsupported(line, 'op.bulk_insert(...)', 'row values must be literals (numbers, strings, True/False, None)');
}

/** Python's json.dumps with its defaults (`", "` and `": "` separators, non-ASCII escaped): the evaluator's `json` module. */
export function pyJsonDumps(v: PyValue, line: number): string {
  try {
    return jsonDumps(v as Value, line);
  } catch (e) {
    if (e instanceof PythonError) throw new Unsupported(line, 'a JSON value', 'only literals can be serialized without Python');
    throw e;
  }
}

