/** Small helpers the op declarations share. */
import { PythonError } from '../python/eval/errors';
import { bind, Bound } from '../args';
import { asString, Call, optString, PyValue } from '../values';
import type { OpSpec, TableTarget } from './types';

/** Binds a call to the op's parameters; in a batch block the table parameter is left out. */
export function bindOp(spec: OpSpec, call: Call, table?: TableTarget): Bound {
  const p = spec.params;
  if (!p) return Object.assign({}, { __call: call }) as Bound;
  const positional = table && p.tableParam ? p.positional.filter((x) => x !== p.tableParam) : p.positional;
  const refused = table ? p.notInBatch?.find((k) => call.kwargs.has(k)) : undefined;
  if (refused) throw new PythonError(call.line, 'TypeError', `batch_op.${spec.name}() got an unexpected keyword argument '${refused}'`);
  const keywords = table && p.notInBatch ? (p.keywords ?? []).filter((k) => !p.notInBatch!.includes(k)) : p.keywords ?? [];
  return bind(call, table ? `batch_op.${spec.name}` : p.label, positional, [...keywords, ...(table ? p.batchKeywords ?? [] : [])]);
}

export const name = (c: Call, v: PyValue | undefined, what: string): string => asString(v, c.line, what);

/** The table an op applies to: the batch block's, else its own argument (and schema=). */
export function target(c: Call, a: Bound, table: TableTarget | undefined, param = 'table_name'): TableTarget {
  return { name: table?.name ?? name(c, a[param], 'table name'), schema: table?.schema ?? optString(a.schema, c.line, 'schema') };
}
