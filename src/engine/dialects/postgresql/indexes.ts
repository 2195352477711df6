/**
 * PostgreSQL's index options as SQLAlchemy's PGDDLCompiler writes them: CONCURRENTLY, USING
 * (lower-cased), operator classes per column, INCLUDE, WITH (storage parameters), TABLESPACE.
 */
import { asString, PyDict, Unsupported, type PyValue } from '../../ops/values';
import type { IndexOptions } from '../dialect';

/** Python's `str()` of a storage parameter value. */
function pyStr(v: PyValue, line: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  throw new Unsupported(line, 'postgresql_with={...}', 'expected string or number values');
}

function dict(v: PyValue | undefined, line: number, what: string): [string, PyValue][] {
  if (v === undefined || v === null) return [];
  if (!(v instanceof PyDict)) throw new Unsupported(line, `${what}=...`, 'expected a dict');
  return [...v.entries].map(([k, x]) => [String(k), x]);
}

export function postgresqlIndexOptions(kw: ReadonlyMap<string, PyValue>, line: number): IndexOptions {
  const get = (k: string) => kw.get(`postgresql_${k}`);
  const using = get('using');
  const include = get('include');
  const tablespace = get('tablespace');
  const ops = dict(get('ops'), line, 'postgresql_ops');
  return {
    concurrently: get('concurrently') === true,
    using: typeof using === 'string' && using ? using.toLowerCase() : undefined,
    ops: ops.length ? Object.fromEntries(ops.map(([k, x]) => [k, asString(x, line, 'an operator class')])) : undefined,
    include: Array.isArray(include) && include.length ? include.map((c) => asString(c, line, 'an INCLUDE column')) : undefined,
    with: dict(get('with'), line, 'postgresql_with').map(([k, x]) => [k, pyStr(x, line)]),
    tablespace: typeof tablespace === 'string' && tablespace ? tablespace : undefined,
    nullsNotDistinct: typeof get('nulls_not_distinct') === 'boolean' ? get('nulls_not_distinct') as boolean : undefined,
  };
}
