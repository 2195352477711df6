/**
 * SQLAlchemy's DDL elements given to `op.execute()`: `CreateSequence(sa.Sequence(...))` /
 * `DropSequence(...)` and `CreateSchema(name)` / `DropSchema(name)`, as its compiler writes them
 * (`visit_create_sequence`, `visit_drop_sequence`, `visit_create_schema`, `visit_drop_schema`).
 */
import { Call, Unsupported } from '../values';
import type { Dialect } from '../../dialects/dialect';
import { renderIdentityOptions } from './render';
import { checkKeywords, IDENTITY_OPTIONS } from './schema';

export const DDL_ELEMENTS = ['sa.CreateSequence', 'sa.DropSequence', 'sa.CreateSchema', 'sa.DropSchema'];

export function renderDdlElement(ddl: Call, d: Dialect): string {
  return ddl.fn.endsWith('Schema') ? renderSchemaDdl(ddl, d) : renderSequenceDdl(ddl, d);
}

/** `CREATE SCHEMA [IF NOT EXISTS] s` / `DROP SCHEMA [IF EXISTS] s [CASCADE]` (the IF clauses from SQLAlchemy 2.0 on). */
function renderSchemaDdl(ddl: Call, d: Dialect): string {
  const create = ddl.fn === 'sa.CreateSchema';
  if (!d.supportsSchemaDdl) throw new Unsupported(ddl.line, `${ddl.fn.slice(3)}(...)`, `${d.displayName} has no CREATE / DROP SCHEMA (the statement fails there under Alembic too)`);
  checkKeywords(ddl, ['name', create ? 'if_not_exists' : 'if_exists', ...(create ? [] : ['cascade'])], ddl.fn);
  const name = ddl.args[0] ?? ddl.kw('name');
  if (typeof name !== 'string') throw new Unsupported(ddl.line, `${ddl.fn.slice(3)}(...)`, 'expected the schema name as a string');
  const flag = d.sqlalchemy !== '1.4' && ddl.kw(create ? 'if_not_exists' : 'if_exists') === true ? (create ? 'IF NOT EXISTS ' : 'IF EXISTS ') : '';
  return create ? `CREATE SCHEMA ${flag}${d.quote(name)}` : `DROP SCHEMA ${flag}${d.quote(name)}${ddl.kw('cascade') === true ? ' CASCADE' : ''}`;
}

function renderSequenceDdl(ddl: Call, d: Dialect): string {
  const what = `${ddl.fn.slice(3)}(...)`;
  if (!d.supportsSequences) throw new Unsupported(ddl.line, what, `${d.displayName} has no sequences (the statement fails there under Alembic too)`);
  const create = ddl.fn === 'sa.CreateSequence';
  checkKeywords(ddl, [create ? 'if_not_exists' : 'if_exists'], ddl.fn);
  const seq = ddl.args[0] ?? ddl.kw('element');
  if (!(seq instanceof Call) || seq.fn !== 'sa.Sequence') throw new Unsupported(ddl.line, what, 'expected an sa.Sequence(...)');
  checkKeywords(seq, ['name', 'schema', ...IDENTITY_OPTIONS], 'sa.Sequence');
  const [name = seq.kw('name'), start, increment] = seq.args;
  if (typeof name !== 'string') throw new Unsupported(seq.line, 'sa.Sequence(...)', 'expected the sequence name as a string');
  const schema = seq.kw('schema');
  if (schema !== undefined && schema !== null && typeof schema !== 'string') throw new Unsupported(seq.line, 'sa.Sequence(..., schema=...)', 'expected a string');
  const options: Record<string, number | boolean> = {};
  const given: [string, unknown][] = [['start', start], ['increment', increment], ...IDENTITY_OPTIONS.map((o): [string, unknown] => [o, seq.kw(o)])];
  for (const [k, v] of given) {
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' && typeof v !== 'boolean') throw new Unsupported(seq.line, `sa.Sequence(${k}=...)`, 'expected a number or a boolean');
    options[k] = v;
  }
  // SQLAlchemy 1.4 takes if_exists= / if_not_exists= here but does not write them, and starts at 1 when no start is given.
  const sa14 = d.sqlalchemy === '1.4';
  if (sa14 && create && options.start === undefined) options.start = 1;
  const flag = !sa14 && ddl.kw(create ? 'if_not_exists' : 'if_exists') === true ? (create ? 'IF NOT EXISTS ' : 'IF EXISTS ') : '';
  const target = d.qualified(name, schema ?? undefined);
  if (!create) return `DROP SEQUENCE ${flag}${target}`;
  const opts = renderIdentityOptions(options);
  return `CREATE SEQUENCE ${flag}${target}${opts ? ` ${opts}` : ''}`;
}
