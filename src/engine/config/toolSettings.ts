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

/**
 * pyproject.toml's text with `[tool.alembic-migrations] <key> = <value>` set (the table added at the
 * end when missing, the key's line replaced when present); undefined when the result would not read
 * back as that value (a layout this simple edit does not handle): then nothing is offered.
 */
export function withToolSetting(text: string | undefined, key: string, value: string): string | undefined {
  const line = `${key} = ${JSON.stringify(value)}`;
  const src = text ?? '';
  const eol = src.includes('\r\n') ? '\r\n' : '\n';
  const lines = src.split(eol);
  const header = lines.findIndex((l) => /^\s*\[\s*tool\s*\.\s*alembic-migrations\s*\]\s*(#.*)?$/.test(l));
  let out: string;
  if (header < 0) out = `${src}${src && !src.endsWith('\n') ? eol : ''}${src ? eol : ''}[tool.alembic-migrations]${eol}${line}${eol}`;
  else {
    let end = lines.findIndex((l, i) => i > header && /^\s*\[/.test(l));
    if (end < 0) end = lines.length;
    const own = lines.findIndex((l, i) => i > header && i < end && new RegExp(`^\\s*["']?${key}["']?\\s*=`).test(l));
    // A comment after the old value stays after the new one.
    if (own >= 0) lines[own] = `${line}${/\s+#.*$/.exec(lines[own].replace(/(["'])(?:\\.|(?!\1).)*\1/g, 'v'))?.[0] ?? ''}`;
    else lines.splice(header + 1, 0, line);
    out = lines.join(eol);
  }
  try {
    const data = parseToml(out) as { tool?: Record<string, Record<string, unknown>> };
    return data.tool?.['alembic-migrations']?.[key] === value ? out : undefined;
  } catch { return undefined; }
}
