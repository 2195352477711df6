/** Name quoting and literals the way SQLAlchemy's SQLite and PostgreSQL dialects render them. */
import { POSTGRESQL_RESERVED, SQLITE_RESERVED } from './reservedWords';

export type DialectName = 'sqlite' | 'postgresql';

export interface Dialect {
  readonly name: DialectName;
  /** A name as SQLAlchemy writes it: bare when legal, else double-quoted. */
  quote(name: string): string;
  /** `schema.name`, each part quoted as needed. */
  qualified(name: string, schema?: string): string;
  /** A string literal: `'it''s'`. */
  literal(value: string): string;
}

const LEGAL = /^[a-z0-9_$]+$/i;

function make(name: DialectName, reserved: Set<string>): Dialect {
  const quote = (n: string): string => {
    const lc = n.toLowerCase();
    const bare = !reserved.has(lc) && LEGAL.test(n) && !/^[0-9$]/.test(n) && lc === n;
    return bare ? n : `"${n.replace(/"/g, '""')}"`;
  };
  return {
    name,
    quote,
    qualified: (n, schema) => (schema ? `${quote(schema)}.` : '') + quote(n),
    literal: (v) => `'${v.replace(/'/g, "''")}'`,
  };
}

export const SQLITE = make('sqlite', SQLITE_RESERVED);
export const POSTGRESQL = make('postgresql', POSTGRESQL_RESERVED);
export const dialectFor = (name: DialectName): Dialect => (name === 'sqlite' ? SQLITE : POSTGRESQL);
