/**
 * Tables drift leaves out: glob patterns on qualified table names (`celery_*`, `audit.*`), from
 * `--ignore` (or the editor's setting) and `[tool.alembic-migrations] drift-ignore = [...]` in the
 * project's pyproject.toml (read where the naming-convention setting is read: beside the config,
 * then in the working directory).
 */
import { readToolSetting } from '../config/toolSettings';
import { CommandError } from '../errors';

/** `*` any run of characters (dots included), `?` one character, `[abc]` / `[!abc]` one of a set. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      let set = pattern.slice(i + 1, end);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      re += `[${set.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A matcher for the patterns; a name is ignored when one pattern matches it. */
export function ignoreMatcher(patterns: string[]): (name: string) => boolean {
  const res = patterns.map(globToRegExp);
  return (name) => res.some((r) => r.test(name));
}

/** `drift-ignore` from the first of these pyproject.toml files that sets it; [] when none does. */
export function readDriftIgnore(pyprojects: string[]): string[] {
  const set = readToolSetting(pyprojects, 'drift-ignore');
  if (!set) return [];
  if (!Array.isArray(set.value) || set.value.some((p) => typeof p !== 'string')) {
    throw new CommandError(`${set.file}: [tool.alembic-migrations] drift-ignore must be a list of strings`, set.file, 'Write it as drift-ignore = ["celery_*", "audit.*"].');
  }
  return set.value as string[];
}
