/**
 * An op written outside batch mode, rewritten as the same op in a `batch_alter_table` block: what
 * Alembic needs on SQLite for a constraint or column-type change (the quick fix for
 * `not-possible-on-dialect`). The arguments keep their source text; the table (and its schema)
 * move to the block.
 */
import { opSpec, tableSchemaParam } from '../ops/registry';
import { parseOpCall } from './inverseOps';

/**
 * The block's lines (unindented, the op's own line indented by 4) and where the call ends in
 * `statement`; undefined when it is not such an op call, or has comments inside (they would be lost).
 */
export function batchForm(statement: string): { lines: string[]; end: number } | undefined {
  const c = parseOpCall(statement);
  const spec = c && opSpec(c.name);
  const p = spec?.params;
  if (!c || c.comments || c.end === undefined || !spec?.batch || !p?.tableParam) return undefined;
  const schemaParam = tableSchemaParam(spec);
  const at = p.positional.indexOf(p.tableParam);
  const table = at < c.args.length ? c.args[at] : c.kwargs.get(p.tableParam);
  if (table === undefined) return undefined;
  const schema = c.kwargs.get(schemaParam);
  const args = c.args.filter((_, i) => i !== at);
  const kwargs = [...c.kwargs].filter(([k]) => k !== p.tableParam && k !== schemaParam).map(([k, v]) => `${k}=${v}`);
  return {
    lines: [
      `with op.batch_alter_table(${table}${schema !== undefined ? `, schema=${schema}` : ''}) as batch_op:`,
      `    batch_op.${c.name}(${[...args, ...kwargs].join(', ')})`,
    ],
    end: c.end,
  };
}
