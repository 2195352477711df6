/**
 * The project's `[tool.alembic-migrations]` settings in pyproject.toml, read from the first file
 * that sets a key (beside the Alembic config, then in the working directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { CommandError } from '../errors';

/** A key's value and the file that set it; undefined when no file sets it. Bad TOML is an error naming the file. */
export function readToolSetting(pyprojects: string[], key: string): { value: unknown; file: string } | undefined {
  for (const file of [...new Set(pyprojects.map((f) => path.resolve(f)))]) {
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    if (!text.includes('alembic-migrations')) continue;
    let data: Record<string, unknown>;
    try {
      data = parseToml(text) as Record<string, unknown>;
    } catch (e) {
      throw new CommandError(`${file} cannot be parsed: ${(e as Error).message.split('\n')[0]}`, file, `Fix the TOML syntax ([tool.alembic-migrations] ${key} is read from it).`);
    }
    const section = (data.tool as Record<string, unknown> | undefined)?.['alembic-migrations'] as Record<string, unknown> | undefined;
    if (section?.[key] !== undefined) return { value: section[key], file };
  }
  return undefined;
}

/**
 * What the engine does on SQLite with an op Alembic can run there only inside `batch_alter_table`
 * (a constraint added or dropped, a column's type or default changed): `refuse` as Alembic does
 * (the default), or `rebuild` the table as batch mode would.
 */
export type SqliteOutsideBatch = 'refuse' | 'rebuild';

export function readSqliteOutsideBatch(pyprojects: string[]): SqliteOutsideBatch {
  const set = readToolSetting(pyprojects, 'sqlite-outside-batch');
  if (!set) return 'refuse';
  if (set.value !== 'refuse' && set.value !== 'rebuild') {
    throw new CommandError(`${set.file}: [tool.alembic-migrations] sqlite-outside-batch = ${JSON.stringify(set.value)} is not "refuse" or "rebuild"`, set.file,
      'Write sqlite-outside-batch = "rebuild" to have the engine rebuild the table as batch mode would, or "refuse" (the default, as Alembic does).');
  }
  return set.value;
}
