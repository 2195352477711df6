/**
 * The SQL one revision's upgrade or downgrade runs, as offline (`--sql`) mode writes it for the
 * project's database dialect: what "Show SQL" opens in the editor.
 */
import { parseDatabaseUrl } from '../config/url';
import { CommandError } from '../errors';
import { describeSqlalchemy } from '../config/sqlalchemyVersion';
import { DEFAULT_DIALECT, dialectFor, DialectName } from '../dialects';
import { planRevisionSteps } from '../runner/migrationSource';
import { assertOfflinePlannable, offlineScript } from '../runner/offline';
import { RevisionStep } from '../runner/steps';
import { ScriptDirectory } from '../scripts/scriptDirectory';

export async function revisionSql(dir: ScriptDirectory, id: string, direction: 'upgrade' | 'downgrade', dialectName?: DialectName): Promise<string> {
  const script = dir.map.map.get(id);
  if (!script) throw new CommandError(`Can't locate revision identified by '${id}'`);
  const db = dir.config.database;
  const name = dialectName ?? (db ? parseDatabaseUrl(db.url, db.source).dialect : undefined);
  const rules = dir.config.sqlalchemy();
  const dialect = dialectFor(name ?? DEFAULT_DIALECT.name, rules.version);
  const step = new RevisionStep(dir.map, script, direction === 'upgrade');
  assertOfflinePlannable([step]);
  const planned = planRevisionSteps([step], dialect, dir.config.cwd, undefined, { offline: true, importRoots: dir.config.importRoots, mainOptions: dir.config.mainOptions, convention: () => dir.config.namingConvention(), rebuildOutsideBatch: dir.config.rebuildsOutsideBatch() });
  const from = direction === 'upgrade' ? [...script.normalizedDownRevisions] : [script.revision];
  const header = `-- ${step.describe()}\n-- ${dialect.displayName}, offline mode: what \`alembic ${direction} --sql\` writes for this revision${dialect.sqlalchemy ? `, ${describeSqlalchemy(rules)}` : ''}\n\n`;
  return header + await offlineScript(planned, from, dialect, { table: dir.config.versionTable, schema: dir.config.versionTableSchema });
}
