/**
 * Views and free-standing sequences, which Alembic's autogenerate does not compare: written as
 * `op.execute(...)` from the definitions the database reports. Views are dropped before the table
 * changes (they may read a changed column) and created after them.
 */
import { sameSql } from '../schema/diff';
import { AutoOp, Ctx, execute } from './context';


const changedViews = (ctx: Ctx) => Object.keys(ctx.from.views).sort().filter((k) => ctx.to.views[k] === undefined || !sameSql(ctx.from.views[k], ctx.to.views[k]));

export function viewOpsBefore(ctx: Ctx): AutoOp[] {
  return changedViews(ctx).map((k) => execute(k, `DROP VIEW ${ctx.quote(k)}`));
}

export function viewOpsAfter(ctx: Ctx): AutoOp[] {
  const changed = new Set(changedViews(ctx));
  return Object.keys(ctx.to.views).sort().filter((k) => ctx.from.views[k] === undefined || changed.has(k)).map((k, i) => {
    const review = i === 0 ? ctx.note(`view(s) written from the database's own definition (a materialized view is written as a plain view): check them`) : undefined;
    return execute(k, `CREATE VIEW ${ctx.quote(k)} AS ${ctx.to.views[k].trim().replace(/;$/, '')}`, review);
  });
}

/** `create`: new sequences and changed ones' settings; `drop`: sequences that are gone. */
export function sequenceOps(ctx: Ctx, phase: 'create' | 'drop'): AutoOp[] {
  const { from, to } = ctx;
  if (phase === 'drop') return Object.keys(from.sequences).sort().filter((k) => !to.sequences[k]).map((k) => execute(k, `DROP SEQUENCE ${ctx.quote(k)}`));
  return Object.keys(to.sequences).sort().flatMap((k) => {
    const s = to.sequences[k];
    const opts = `${s.increment ? ` INCREMENT BY ${s.increment}` : ''}${s.start ? ` START WITH ${s.start}` : ''}`;
    const old = from.sequences[k];
    if (!old) return [execute(k, `CREATE SEQUENCE ${ctx.quote(k)}${opts}`)];
    if (old.start === s.start && old.increment === s.increment) return [];
    return [execute(k, `ALTER SEQUENCE ${ctx.quote(k)}${opts}`)];
  });
}
