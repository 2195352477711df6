/**
 * The registry of ops: every op the engine runs, declared once (`OpSpec`), read by the Python
 * reader (which calls exist, which `batch_op` offers), the planner, batch mode and the quick fix.
 * A new op is one declaration listed here; a dialect-only op is declared in its dialect's folder
 * (`Dialect.ops`) and found here without being listed.
 */
import { DIALECTS } from '../../dialects';
import { addColumn, dropColumn } from './columns';
import { alterColumn } from './alterColumn';
import { createCheckConstraint, createForeignKey, createPrimaryKey, createUniqueConstraint, dropConstraintOp } from './constraints';
import { bulkInsertOp, execute } from './data';
import { syncEnumValues } from './enumValues';
import { createIndex, dropIndex } from './indexes';
import { createTable, createTableComment, dropTable, dropTableComment, renameTable } from './tables';
import type { OpSpec } from './types';

export type { OpSpec, Params, BatchSpec, RecreateTable, SourceCall, InverseHelpers, TableTarget, Out } from './types';
export { bindOp } from './util';

const OPS: readonly OpSpec[] = [
  createTable, dropTable, renameTable, addColumn, dropColumn, alterColumn,
  createIndex, dropIndex, createForeignKey, createUniqueConstraint,
  createCheckConstraint, createPrimaryKey, dropConstraintOp, execute, bulkInsertOp,
  createTableComment, dropTableComment, syncEnumValues,
  ...DIALECTS.flatMap((d) => d.ops ?? []),
];

const BY_NAME = new Map(OPS.map((o) => [o.name, o]));
if (BY_NAME.size !== OPS.length) throw new Error('an op is declared twice');

/** The declaration of `op.<name>`, if the engine runs it. */
export const opSpec = (name: string): OpSpec | undefined => BY_NAME.get(name);

/** The dialect a dialect-only op belongs to (undefined for the ops every dialect has). */
export const dialectOnly = (spec: OpSpec) => DIALECTS.find((d) => d.ops?.includes(spec));

/** Whether `batch_op.<name>` is offered inside `op.batch_alter_table`. */
export const isBatchOp = (name: string): boolean => BY_NAME.get(name)?.batch !== undefined;

/** Every op, in declaration order. */
export const allOps = (): readonly OpSpec[] => OPS;

/** The parameter naming the schema of an op's own table (`source_schema` for create_foreign_key): a batch block takes it. */
export const tableSchemaParam = (spec: OpSpec): string => (spec.params?.keywords?.includes('source_schema') ? 'source_schema' : 'schema');
