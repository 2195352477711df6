/** Binds a call's positional and keyword arguments to an Alembic operation's parameter names. */
import { Call, PyValue, Unsupported } from './values';

export type Bound = Record<string, PyValue | undefined> & { readonly __call: Call };

export function bind(call: Call, op: string, positional: string[], keywords: string[] = [], open = false): Bound {
  const out: Record<string, PyValue | undefined> = {};
  if (call.args.length > positional.length) {
    throw new Unsupported(call.line, `${op}(...)`, `takes ${positional.length} positional arguments, ${call.args.length} given`);
  }
  call.args.forEach((a, i) => { out[positional[i]] = a; });
  for (const [k, v] of call.kwargs) {
    if (!positional.includes(k) && !keywords.includes(k) && !open && !/^(postgresql|sqlite|mysql|mariadb|mssql|oracle)_/.test(k)) {
      throw new Unsupported(call.line, `${op}(..., ${k}=...)`, 'an argument the embedded engine does not know');
    }
    if (k in out) throw new Unsupported(call.line, `${op}(...)`, `${k} given twice`);
    out[k] = v;
  }
  return Object.assign(out, { __call: call }) as Bound;
}
