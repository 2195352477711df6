/** Binds a call's positional and keyword arguments to an Alembic operation's parameter names. */
import { Call, PyValue, Unsupported } from './values';

export type Bound = Record<string, PyValue | undefined> & { readonly __call: Call };

/**
 * Keyword arguments of databases the engine does not compile for: SQLAlchemy keeps them for that
 * dialect's compiler, so they change nothing in SQLite's or PostgreSQL's SQL.
 */
const OTHER_DIALECT_KW = /^(mysql|mariadb|mssql|oracle)_/;
export const isOtherDialectKeyword = (k: string): boolean => OTHER_DIALECT_KW.test(k);

/**
 * Strict: a keyword that is neither a parameter nor another database's option is refused with its
 * name (an argument the engine does not know could change the SQL; it is never dropped). `open`
 * is for callers that only read a few arguments of a call already checked by its declaration.
 */
export function bind(call: Call, op: string, positional: string[], keywords: string[] = [], open = false): Bound {
  const out: Record<string, PyValue | undefined> = {};
  if (call.args.length > positional.length) {
    throw new Unsupported(call.line, `${op}(...)`, `takes ${positional.length} positional arguments, ${call.args.length} given`);
  }
  call.args.forEach((a, i) => { out[positional[i]] = a; });
  for (const [k, v] of call.kwargs) {
    if (!positional.includes(k) && !keywords.includes(k) && !open && !OTHER_DIALECT_KW.test(k)) {
      throw new Unsupported(call.line, `${op}(..., ${k}=...)`, 'an argument the embedded engine does not know or apply');
    }
    if (k in out) throw new Unsupported(call.line, `${op}(...)`, `${k} given twice`);
    out[k] = v;
  }
  return Object.assign(out, { __call: call }) as Bound;
}
