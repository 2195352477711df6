/**
 * Autogenerate without Python: from two schema snapshots (`expected`, what the migrations build,
 * and `actual`, the live database), the op calls of a revision whose upgrade() turns the first
 * into the second and whose downgrade() turns it back, written as Alembic's autogenerate writes
 * them. Where an op may lose data or fail on existing rows, it is still written, with a
 * `# review:` note above it, also listed in `reviews`.
 */
import type { SchemaSnapshot } from '../schema/snapshot';
import { AutogenStyle, Ctx, OpKind } from './context';
import { planOps } from './plan';
import { renderOps } from './render';

export type { AutogenStyle } from './context';
export { pythonType } from './sqlTypes';

export interface AutogenResult {
  /** The body of upgrade() (first line not indented, as the revision template expects). */
  upgrades: string;
  downgrades: string;
  /** Imports the bodies need besides `from alembic import op` and `import sqlalchemy as sa`. */
  imports: string[];
  /** Each `# review:` note, upgrade's first, then downgrade's (prefixed `downgrade: `). */
  reviews: string[];
  /** The snapshots are the same: nothing to write. */
  empty: boolean;
  /** What each function does, op by op (for tests and messages). */
  upgradeOps: { kind: OpKind; object: string }[];
  downgradeOps: { kind: OpKind; object: string }[];
}

export function autogenerate(expected: SchemaSnapshot, actual: SchemaSnapshot, style: AutogenStyle): AutogenResult {
  const batch = style.batch && style.dialect === 'sqlite';
  const up = new Ctx(style, expected, actual);
  const down = new Ctx(style, actual, expected);
  const upOps = planOps(up);
  const downOps = planOps(down);
  const summary = (ops: typeof upOps) => ops.map((o) => ({ kind: o.kind, object: o.object }));
  return {
    upgrades: renderOps(upOps, batch),
    downgrades: renderOps(downOps, batch),
    imports: [...new Set([...up.imports, ...down.imports])].sort(),
    reviews: [...up.reviews, ...down.reviews.map((r) => `downgrade: ${r}`)],
    empty: upOps.length === 0 && downOps.length === 0,
    upgradeOps: summary(upOps),
    downgradeOps: summary(downOps),
  };
}
