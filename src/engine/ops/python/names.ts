/**
 * What the names in a revision file refer to: module aliases and imported symbols, resolved to the
 * canonical prefixes the compiler knows (`sa.`, `pg.`, `sqlite.`, `op.`).
 */

const MODULES: Record<string, string> = {
  sqlalchemy: 'sa',
  'sqlalchemy.types': 'sa',
  'sqlalchemy.sql': 'sa',
  'sqlalchemy.sql.expression': 'sa',
  'sqlalchemy.sql.sqltypes': 'sa',
  'sqlalchemy.sql.functions': 'sa.func',
  'sqlalchemy.schema': 'sa',
  'sqlalchemy.sql.ddl': 'sa',
  'sqlalchemy.sql.schema': 'sa',
  'sqlalchemy.sql.type_api': 'sa',
  'sqlalchemy.sql.elements': 'sa',
  'sqlalchemy.engine.default': 'sa',
  'sqlalchemy.engine': 'sa.engine',
  'sqlalchemy.engine.reflection': 'sa.engine.reflection',
  'sqlalchemy.inspection': 'sa',
  'sqlalchemy.event': 'sa.event',
  'sqlalchemy.dialects': 'sa.dialects',
  'sqlalchemy.dialects.postgresql': 'pg',
  'sqlalchemy.dialects.sqlite': 'sqlite',
  'sqlalchemy.dialects.mysql': 'mysql',
  'sqlalchemy.orm': 'sa.orm',
  'sqlalchemy.orm.session': 'sa.orm',
  'sqlalchemy.orm.decl_api': 'sa.orm',
  'sqlalchemy.ext.declarative': 'sa.orm',
  'alembic.op': 'op',
};

/** Attribute chains that lead from one canonical prefix to another (`sa.types.Integer`). */
const SUBMODULES: Record<string, string> = {
  'sa.types': 'sa', 'sa.sql': 'sa', 'sa.schema': 'sa', 'sa.sql.ddl': 'sa', 'sa.sql.expression': 'sa', 'sa.sql.sqltypes': 'sa',
  'sa.sql.functions': 'sa.func', 'sa.dialects.postgresql': 'pg', 'sa.dialects.sqlite': 'sqlite',
  'sa.dialects.mysql': 'mysql', 'sa.dialects': 'sa.dialects', 'sa.inspection': 'sa',
  'sa.orm.session': 'sa.orm', 'sa.orm.decl_api': 'sa.orm', 'sa.ext.declarative': 'sa.orm',
};

/** A canonical dotted name: `sa.Column`, or a module prefix like `sa` / `pg`. */
export type Canonical = string;

export function canonicalModule(dotted: string): Canonical | undefined {
  return MODULES[dotted];
}

/** Folds `sa.types.Integer` into `sa.Integer`, `sa.dialects.postgresql.JSONB` into `pg.JSONB`. */
const BY_LENGTH = Object.entries(SUBMODULES).sort((a, b) => b[0].length - a[0].length);
const normalized = new Map<string, Canonical>();

export function normalize(name: Canonical): Canonical {
  let out = normalized.get(name);
  if (out === undefined) {
    out = name;
    for (const [from, to] of BY_LENGTH) {
      if (name === from) { out = to; break; }
      if (name.startsWith(from + '.')) { out = to + name.slice(from.length); break; }
    }
    if (normalized.size < 10_000) normalized.set(name, out);
  }
  return out;
}

export interface ImportBinding { local: string; target: Canonical | undefined; source: string }

/**
 * Reads one import statement's text (`import sqlalchemy as sa`, `from alembic import op`,
 * `from sqlalchemy.dialects import postgresql`). `target` is undefined for modules we do not know:
 * using such a name later is what makes a revision need Python.
 */
export function readImport(text: string): ImportBinding[] {
  const flat = text.replace(/[()\\\n]/g, ' ').replace(/#[^\n]*/g, '').trim();
  const from = /^from\s+([\w.]+)\s+import\s+(.+)$/.exec(flat);
  if (from) {
    const [, mod, names] = from;
    return names.split(',').map((n) => n.trim()).filter(Boolean).map((n) => {
      const [name, alias] = n.split(/\s+as\s+/).map((s) => s.trim());
      const full = `${mod}.${name}`;
      let target = canonicalModule(full);
      if (!target) {
        const base = canonicalModule(mod);
        target = base ? normalize(`${base}.${name}`) : undefined;
      }
      return { local: alias ?? name, target, source: full };
    });
  }
  const imp = /^import\s+(.+)$/.exec(flat);
  if (!imp) return [];
  return imp[1].split(',').map((n) => n.trim()).filter(Boolean).map((n) => {
    const [name, alias] = n.split(/\s+as\s+/).map((s) => s.trim());
    if (alias) return { local: alias, target: canonicalModule(name), source: name };
    // `import sqlalchemy.dialects.postgresql` binds `sqlalchemy`.
    const head = name.split('.')[0];
    return { local: head, target: canonicalModule(head), source: head };
  });
}
