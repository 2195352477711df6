/**
 * Hints about portability, the Lexikon guide's two warnings: PostgreSQL-only constructs in a
 * project whose database is SQLite (ENUM types, postgresql dialect types), and raw SQL run without
 * a check of the dialect. Found in the upgrade/downgrade bodies, by line.
 */
import type { DialectName } from '../dialects';
import { Problem } from '../errors';
import { findMigrationFunctions, MigrationFunction } from './migrationFunctions';

const PG_ONLY: [RegExp, string][] = [
  [/\bsa\.Enum\(|\bsqlalchemy\.Enum\(|\bEnum\(/, 'sa.Enum creates a PostgreSQL ENUM type; on SQLite it becomes VARCHAR plus a CHECK constraint, and ALTER TYPE steps have no SQLite equivalent'],
  [/\bpostgresql\.(JSONB|ARRAY|UUID|INET|CIDR|TSVECTOR|HSTORE|ENUM|INTERVAL|BYTEA|MONEY)\b/, 'a PostgreSQL-only type'],
  [/\bpostgresql_(using|where|ops|include|concurrently)\s*=/, 'a PostgreSQL-only index option (ignored on SQLite)'],
];

/** `fns` may be passed when the caller has already found the functions of `text`. */
export function findPortabilityProblems(file: string, text: string, databaseDialect: DialectName | undefined,
  fns: MigrationFunction[] = findMigrationFunctions(text, 'python')): Problem[] {
  const problems: Problem[] = [];
  for (const fn of fns) {
    const body = fn.body ?? [];
    const checksDialect = body.some((s) => /\.dialect\.name\b|get_bind\(\)\.dialect|context\.get_context\(\)\.dialect/.test(s.text));
    for (const s of body) {
      if (databaseDialect === 'sqlite') {
        for (const [re, what] of PG_ONLY) {
          const m = re.exec(s.text);
          if (!m) continue;
          const line = s.line + (s.text.slice(0, m.index).match(/\n/g)?.length ?? 0);
          problems.push({ severity: 'warning', code: 'postgresql-only', file, line,
            message: `${m[0].replace(/\($/, '')}: ${what}; this project's database is SQLite. Test this migration on both, or guard it with a dialect check.` });
        }
      }
      if (!checksDialect && /^\s*op\.execute\(\s*(?:[rRuU]?["']|sa\.text\()/.test(s.text)) {
        problems.push({ severity: 'hint', code: 'raw-sql', file, line: s.line,
          message: 'Raw SQL runs as written on every database: check op.get_bind().dialect.name first if it is not portable, or use op.* operations.' });
      }
    }
  }
  return problems;
}
