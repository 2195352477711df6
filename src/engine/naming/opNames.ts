/**
 * The naming convention as the op compiler meets it: every name a constraint or index gets in the
 * DDL goes through `OpNamer.name()`, which applies the project's convention (SQLAlchemy's rules,
 * convention.ts). When the convention could not be read, it does what SQLAlchemy does without one
 * (a plain MetaData()), and the run's log says so and how to declare the real one.
 */
import { asString, isCall, PyValue, Unsupported } from '../ops/values';
import { applyConvention, checkImplicitPrimaryKey, DEFAULT_CONVENTION, NameRequest, NamingConvention, NamingConventionError, NamingDialect, renderName } from './convention';

/** What a project's lookup found: the convention and where it came from, or why there is none. */
export type ProjectConvention =
  | { convention: NamingConvention; source: string; isDefault: boolean }
  | { convention: undefined; reason: string };

/** What the planner is given: a convention, a lookup's answer, or a lookup made only when a name needs it. */
export type ConventionInput = NamingConvention | ProjectConvention | (() => ProjectConvention);

/** How to declare the convention when it cannot be found (the message of every refusal says it). */
export const CONVENTION_SETTING_HINT = 'declare it in pyproject.toml: [tool.alembic-migrations] naming_convention = { ix = "ix_%(column_0_label)s", uq = "uq_%(table_name)s_%(column_0_name)s", ... } (the same dict as MetaData(naming_convention=...))';

const isConvention = (x: unknown): x is NamingConvention =>
  typeof x === 'object' && x !== null && 'keys' in x && 'classes' in x && 'callables' in x;

/** The convention an input stands for (a lookup function is called). */
export function resolveConvention(i: ConventionInput | undefined): ProjectConvention {
  return i === undefined ? { convention: DEFAULT_CONVENTION, source: "SQLAlchemy's default", isDefault: true }
    : typeof i === 'function' ? i()
      : isConvention(i) ? { convention: i, source: 'given', isDefault: i === DEFAULT_CONVENTION }
        : i;
}

export class OpNamer {
  private resolved?: ProjectConvention;

  constructor(private readonly input: ConventionInput | undefined, readonly dialect: NamingDialect) {}

  /** The convention in use (the lookup runs at the first call), or why there is none. */
  get state(): ProjectConvention {
    return (this.resolved ??= resolveConvention(this.input));
  }

  /**
   * The name `req`'s constraint or index carries in the DDL (undefined: none). Throws Unsupported
   * when Alembic raises, or when the name depends on a convention we could not read.
   */
  name(req: NameRequest, line: number, construct: string): string | undefined {
    const s = this.state;
    if (s.convention === undefined) {
      // Not found (the run's log says so, and how to declare it): what SQLAlchemy does with a plain
      // MetaData(). op.f() / conv() names are certain whatever the convention; written names are
      // kept; unnamed indexes get the default ix_ name; other unnamed constraints stay unnamed (the
      // database names them); an op that needs a name it was not given is refused by its op.
      if (req.name) return this.render({ name: req.name, truncatable: !!req.conv }, line, construct);
      if (req.kind !== 'ix') return undefined;
      let applied;
      try { applied = applyConvention(DEFAULT_CONVENTION, req); } catch (e) { throw this.refusal(e, line, construct); }
      return this.render(applied, line, construct);
    }
    let applied;
    try { applied = applyConvention(s.convention, req); } catch (e) { throw this.refusal(e, line, construct); }
    return this.render(applied, line, construct);
  }

  /** An op that builds a throwaway Table (Alembic does for most): a `pk` template that cannot name its empty primary key raises. */
  checkTable(table: string, schema: string | null | undefined, line: number, construct: string): void {
    const s = this.state;
    if (s.convention === undefined) return;
    try { checkImplicitPrimaryKey(s.convention, table, schema); } catch (e) { throw this.refusal(e, line, construct); }
  }

  private render(applied: Parameters<typeof renderName>[0], line: number, construct: string): string | undefined {
    try { return renderName(applied, this.dialect); } catch (e) { throw this.refusal(e, line, construct); }
  }

  private refusal(e: unknown, line: number, construct: string): unknown {
    if (!(e instanceof NamingConventionError)) return e;
    const s = this.state;
    const from = s.convention !== undefined && !s.isDefault ? ` (naming convention from ${s.source})` : '';
    if (e.python === 'Unsupported') return new Unsupported(line, construct, `${e.message}${from}: the embedded engine cannot compute it`);
    return new Unsupported(line, construct, `Alembic raises ${e.python} here: ${e.message}${from}`);
  }
}

/** A one-line description of the convention in use, for the run's log. */
export function describeConvention(s: ProjectConvention): string {
  if (s.convention === undefined) {
    return `naming convention: not found (${s.reason}); assuming none: unnamed indexes get SQLAlchemy's default ix_%(column_0_label)s, other unnamed constraints are left to the database. If your models define one, ${CONVENTION_SETTING_HINT}`;
  }
  if (s.isDefault) return `naming convention: SQLAlchemy's default (ix_%(column_0_label)s), ${s.source}`;
  const c = s.convention;
  const entries = [...Object.entries(c.keys), ...Object.entries(c.classes)].map(([k, v]) => `${k}: ${v === null ? 'None' : JSON.stringify(v)}`);
  return `naming convention: {${entries.join(', ')}} from ${s.source}`;
}

/** A name as written: `op.f('x')` / `conv('x')` is taken as converted (never rewritten by the convention). */
export function givenName(v: PyValue | undefined, line: number, what = 'name'): { name?: string; conv?: boolean } {
  if (v === undefined || v === null) return {};
  return { name: asString(v, line, what), conv: isCall(v, 'op.f', 'sa.conv') };
}
