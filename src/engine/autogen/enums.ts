/**
 * PostgreSQL enum types, which Alembic's autogenerate does not compare: a new type is created
 * before the columns that use it (which are written `create_type=False`), a type no column uses
 * any more is dropped at the end, an added label is `ALTER TYPE ... ADD VALUE`, and a label removed
 * or reordered rebuilds the type (rename, create, convert each column, drop the old one).
 */
import { PG_IMPORT, enumKey, enumName } from './sqlTypes';
import { pyStr } from './pyRepr';
import { AutoOp, Ctx, execute } from './context';

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

function enumCall(ctx: Ctx, key: string, labels: string[]): string {
  ctx.imports.add(PG_IMPORT);
  const dot = key.indexOf('.');
  const kws = dot < 0 ? [`name=${pyStr(key)}`] : [`name=${pyStr(key.slice(dot + 1))}`, `schema=${pyStr(key.slice(0, dot))}`];
  return `postgresql.ENUM(${[...labels.map(pyStr), ...kws].join(', ')})`;
}


export function createEnum(ctx: Ctx, key: string): AutoOp {
  const call = enumCall(ctx, key, ctx.to.enums[key]);
  return { kind: 'create_enum', object: key, render: () => `${call}.create(op.get_bind())` };
}

export function dropEnum(ctx: Ctx, key: string): AutoOp {
  const call = enumCall(ctx, key, []);
  return { kind: 'drop_enum', object: key, render: () => `${call}.drop(op.get_bind())` };
}

/** The ops that turn the labels of enum `key` from `from` into `to`; none when they are equal. */
export function changeEnum(ctx: Ctx, key: string): AutoOp[] {
  const a = ctx.from.enums[key];
  const b = ctx.to.enums[key];
  if (a.length === b.length && a.every((l, i) => l === b[i])) return [];
  // Only additions, the old labels keeping their order: ADD VALUE each, placed where it goes.
  const kept = b.filter((l) => a.includes(l));
  if (a.every((l) => b.includes(l)) && kept.every((l, i) => l === a[i])) {
    return b.map((l, i) => ({ l, i })).filter(({ l }) => !a.includes(l)).map(({ l, i }, n) => {
      const next = b.slice(i + 1).find((x) => a.includes(x));
      const where = next !== undefined ? ` BEFORE ${literal(next)}` : '';
      const review = n === 0 ? ctx.note(`enum type ${key} gets the label(s) ${b.filter((x) => !a.includes(x)).map(literal).join(', ')}: ALTER TYPE ... ADD VALUE cannot be undone, so the downgrade rebuilds the type; a new label cannot be used in the transaction that adds it`) : undefined;
      return execute(key, `ALTER TYPE ${ctx.quote(key)} ADD VALUE ${literal(l)}${where}`, review);
    });
  }
  return rebuildEnum(ctx, key);
}

/** Rename the type away, create it with the new labels, convert every column that uses it, drop the old type. */
function rebuildEnum(ctx: Ctx, key: string): AutoOp[] {
  const a = ctx.from.enums[key];
  const b = ctx.to.enums[key];
  const removed = a.filter((l) => !b.includes(l));
  const old = `${enumName(key).name}_old`;
  const review = ctx.note(`enum type ${key} is rebuilt (labels ${removed.length ? `${removed.map(literal).join(', ')} removed` : 'reordered'}): this fails if a row holds a removed label`);
  const ops: AutoOp[] = [execute(key, `ALTER TYPE ${ctx.quote(key)} RENAME TO ${ctx.quote(old)}`, review), createEnum(ctx, key)];
  for (const t of Object.values(ctx.from.tables)) {
    const table = t.schema ? `${ctx.quote(t.schema)}.${ctx.quote(t.name)}` : ctx.quote(t.name);
    for (const c of t.columns) {
      if (enumKey(c.type, ctx.from.enums) !== key) continue;
      const arr = c.type.endsWith('[]') ? '[]' : '';
      const col = `ALTER TABLE ${table} ALTER COLUMN ${ctx.quote(c.name)}`;
      if (c.default !== undefined) ops.push(execute(`${t.name}.${c.name}`, `${col} DROP DEFAULT`));
      ops.push(execute(`${t.name}.${c.name}`, `${col} TYPE ${ctx.quote(key)}${arr} USING ${ctx.quote(c.name)}::text${arr}::${ctx.quote(key)}${arr}`));
      if (c.default !== undefined) ops.push(execute(`${t.name}.${c.name}`, `${col} SET DEFAULT ${c.default.replace(/::[\w".]+$/, '')}`));
    }
  }
  const schema = enumName(key).schema;
  ops.push(execute(key, `DROP TYPE ${schema ? `${ctx.quote(schema)}.` : ''}${ctx.quote(old)}`));
  return ops;
}
