/**
 * The pyproject.toml setting a project can give when env.py's target_metadata cannot be followed
 * statically (its MetaData built at run time, in a package outside the workspace...).
 */
import { parse as parseToml } from 'smol-toml';
import { CLASS_NAMES, DEFAULT_CONVENTION, NamingConvention } from './convention';


/**
 * `[tool.alembic-migrations] naming_convention = { ix = "...", uq = "..." }` in pyproject.toml: the
 * fallback when target_metadata cannot be followed. Undefined when the setting is absent.
 */
export function readConventionSetting(pyprojectText: string):
  { convention: NamingConvention; source: string } | { convention: undefined; reason: string } | undefined {
  let data: Record<string, unknown>;
  try {
    data = parseToml(pyprojectText) as Record<string, unknown>;
  } catch (e) {
    return { convention: undefined, reason: `pyproject.toml cannot be parsed: ${(e as Error).message.split('\n')[0]}` };
  }
  const section = (data.tool as Record<string, unknown> | undefined)?.['alembic-migrations'] as Record<string, unknown> | undefined;
  const raw = section?.naming_convention;
  if (raw === undefined) return undefined;
  const where = '[tool.alembic-migrations] naming_convention';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { convention: undefined, reason: `${where} must be a table of strings` };
  const conv: NamingConvention = { keys: {}, classes: {}, callables: [] };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') return { convention: undefined, reason: `${where}.${k} must be a string` };
    if (CLASS_NAMES.has(k)) conv.classes[k] = v;
    else if (['ix', 'uq', 'ck', 'fk', 'pk'].includes(k)) conv.keys[k] = v;
    else return { convention: undefined, reason: `${where}.${k}: keys are ix, uq, ck, fk, pk or a SQLAlchemy class name (UniqueConstraint...)` };
  }
  if (Object.keys(conv.keys).length + Object.keys(conv.classes).length === 0) return { convention: DEFAULT_CONVENTION, source: where };
  return { convention: conv, source: where };
}
