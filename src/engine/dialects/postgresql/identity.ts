/**
 * PostgreSQL's computed and identity columns: `GENERATED ALWAYS AS (...) STORED` (it has no
 * virtual ones), and Alembic's ALTER COLUMN for an identity added, dropped or changed.
 */
import { renderIdentity, renderIdentityOptions } from '../../ops/ddl/render';
import { IDENTITY_OPTIONS, type ComputedSpec, type IdentitySpec } from '../../ops/ddl/schema';
import { Unsupported } from '../../ops/values';

export function postgresqlComputed(c: ComputedSpec, line: number): string {
  if (c.persisted === false) throw new Unsupported(line, 'sa.Computed(..., persisted=False)', "PostgreSQL computed columns do not support 'virtual' persistence; set the 'persisted' flag to None or True (SQLAlchemy raises here too)");
  return `GENERATED ALWAYS AS (${c.sql}) STORED`;
}

/** Alembic's PostgreSQL `visit_identity_column`: ADD, DROP, or one SET per changed attribute (sorted). */
export function postgresqlAlterIdentity(to: IdentitySpec | undefined, from: IdentitySpec | undefined): string {
  if (!to) return 'DROP IDENTITY';
  if (!from) return `ADD ${renderIdentity(to)}`;
  // Attributes set on the new identity that differ from the old (an attribute left out is not reset).
  const diff = IDENTITY_OPTIONS.filter((k) => !['order'].includes(k) && to.options[k] !== undefined && to.options[k] !== from.options[k]);
  if (to.always !== from.always) diff.push('always');
  return diff.sort().map((k) => (k === 'always' ? `SET GENERATED ${to.always ? 'ALWAYS' : 'BY DEFAULT'} ` : `SET ${renderIdentityOptions({ [k]: to.options[k] })} `)).join('');
}
