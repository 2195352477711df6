/**
 * One generated row in every empty table before a step, so that a downgrade that loses the rows of
 * a table that survives is caught, and an upgrade that only works on empty tables is told apart.
 * Values come from the column types (as text literals: both databases cast them to the column's
 * type); foreign keys take the referred row's value, so referred tables are filled first.
 */
import type { Connection } from '../runner/connection';
import type { SchemaSnapshot, TableSnapshot } from '../schema/snapshot';

export interface SeedResult { seeded: string[]; warnings: string[] }

/** Values for the common types, by a word of the type's name, first match wins. */
const SAMPLES: [RegExp, string][] = [
  [/\[\]$|^_|array/i, '{}'],
  [/bool/i, 'false'],
  [/interval/i, '1 day'],
  [/timestamp|datetime/i, '2000-01-01 00:00:00'],
  [/^date$/i, '2000-01-01'],
  [/^time/i, '00:00:00'],
  [/uuid/i, '00000000-0000-0000-0000-000000000001'],
  [/jsonb?$/i, '{}'],
  [/inet|cidr/i, '127.0.0.1'],
  [/macaddr/i, '08:00:2b:01:02:03'],
  [/bytea|blob|binary/i, ''],
  [/int|serial|num|dec|real|float|double|money/i, '1'],
  [/char|text|clob|string|citext|name|xml/i, 'x'],
];

/** `snap` has its tables' `rowCount`s: only the empty tables get a row. */
export async function seedRows(conn: Connection, snap: SchemaSnapshot): Promise<SeedResult> {
  const out: SeedResult = { seeded: [], warnings: [] };
  const d = conn.dialect;
  const filled = new Set(Object.keys(snap.tables).filter((t) => (snap.tables[t].rowCount ?? 0) > 0));
  const pending = Object.entries(snap.tables).filter(([name]) => !filled.has(name));
  // Referred tables first; a table whose referred table gets no row gets none either.
  for (let round = 0; pending.length && round <= pending.length; round++) {
    for (let i = 0; i < pending.length; i++) {
      const [name, t] = pending[i];
      const refs = t.foreignKeys.filter((fk) => fk.columns.some((c) => required(t, c)) && fk.referredTable !== name);
      if (refs.some((fk) => !filled.has(fk.referredTable) && pending.some(([n]) => n === fk.referredTable))) continue;
      pending.splice(i--, 1);
      const row = await rowFor(conn, snap, name, t);
      if (typeof row === 'string') { out.warnings.push(`table ${name} got no generated row: ${row}`); continue; }
      const cols = Object.keys(row);
      const sql = cols.length
        ? `INSERT INTO ${d.qualified(t.name, t.schema)} (${cols.map((c) => d.quote(c)).join(', ')}) VALUES (${cols.map((c) => row[c]).join(', ')})`
        : `INSERT INTO ${d.qualified(t.name, t.schema)} DEFAULT VALUES`;
      await conn.run('SAVEPOINT migrations_seed');
      try {
        await conn.run(sql);
        await conn.run('RELEASE SAVEPOINT migrations_seed');
        filled.add(name);
        out.seeded.push(name);
      } catch (e) {
        await conn.run('ROLLBACK TO SAVEPOINT migrations_seed');
        await conn.run('RELEASE SAVEPOINT migrations_seed');
        out.warnings.push(`table ${name} got no generated row: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
  for (const [name] of pending) out.warnings.push(`table ${name} got no generated row: the tables it refers to have none`);
  return out;
}

/** A column the row must give a value: NOT NULL without a default, not generated or an identity. */
function required(t: TableSnapshot, name: string): boolean {
  const c = t.columns.find((x) => x.name === name);
  if (!c || c.nullable || c.default !== undefined || c.identity || c.generated) return false;
  // SQLite's INTEGER PRIMARY KEY is the rowid: it numbers itself.
  return !(t.primaryKey?.columns.length === 1 && t.primaryKey.columns[0] === name && /^integer$/i.test(c.type));
}

/** The row's SQL values by column, or why there is none. */
async function rowFor(conn: Connection, snap: SchemaSnapshot, name: string, t: TableSnapshot): Promise<Record<string, string> | string> {
  const d = conn.dialect;
  const row: Record<string, string> = {};
  for (const c of t.columns) {
    if (!required(t, c.name)) continue;
    const fk = t.foreignKeys.find((f) => f.columns.includes(c.name));
    if (fk) {
      const ref = snap.tables[fk.referredTable];
      const col = fk.referredColumns[fk.columns.indexOf(c.name)];
      if (!ref || !col) return `column ${c.name} refers to ${fk.referredTable}, which is not there`;
      const [v] = await conn.all<{ v: unknown }>(`SELECT ${d.quote(col)} AS v FROM ${d.qualified(ref.name, ref.schema)} LIMIT 1`);
      if (!v || v.v === null) return `column ${c.name} refers to ${fk.referredTable}, which has no row`;
      row[c.name] = typeof v.v === 'number' || typeof v.v === 'bigint' ? String(v.v) : d.literal(String(v.v));
      continue;
    }
    const labels = snap.enums[c.type] ?? snap.enums[c.type.replace(/^"|"$/g, '')];
    const sample = labels?.[0] ?? SAMPLES.find(([re]) => re.test(c.type))?.[1];
    if (sample === undefined) return `no sample value for column ${c.name} of type ${c.type}`;
    row[c.name] = d.literal(sample);
  }
  return row;
}
