/**
 * The stairway's verdicts, check by check, from both sides: the real Alembic's run
 * (stairway_alembic.py) and our `verify --json` (a VerifyReport), and why a revision does not
 * reverse, grouped by cause.
 */
import { CheckName, RevisionResult } from '../../src/engine/verify/types';
import { RefRevision } from './stairwayReference';

/** The checks both sides can tell; the rows checks are ours only (the reference seeds no rows). */
export const COMPARED: CheckName[] = ['upgrade', 'downgrade-present', 'downgrade', 'schema-restored', 'upgrade-again', 'schema-reproduced'];

/** Each check the reference ran: true = passed. Absent: not run (a step before it failed). */
export function referenceChecks(r: RefRevision): Partial<Record<CheckName, boolean>> {
  const c: Partial<Record<CheckName, boolean>> = { upgrade: r.upgrade === 'ok', 'downgrade-present': r.downgrade_present };
  if (r.downgrade !== null) c.downgrade = r.downgrade === 'ok';
  if (r.restored !== null) c['schema-restored'] = r.restored;
  if (r.upgrade_again !== null) c['upgrade-again'] = r.upgrade_again === 'ok';
  if (r.reproduced !== null) c['schema-reproduced'] = r.reproduced;
  return c;
}

const ORDER: CheckName[] = ['upgrade', 'upgrade-with-rows', 'downgrade-present', 'downgrade', 'schema-restored', 'rows-kept', 'upgrade-again', 'schema-reproduced'];
/** A failure of these stops the checks after it (the step did not run, or its database is not there). */
const BLOCKING = new Set<CheckName>(['upgrade', 'downgrade-present', 'downgrade', 'upgrade-again']);

/** Each check ours ran, from its failures: a check passed when it is not among them and no blocking check before it failed. */
export function oursChecks(r: RevisionResult): Partial<Record<CheckName, boolean>> {
  const c: Partial<Record<CheckName, boolean>> = {};
  if (r.status === 'skipped') return c;
  const failed = new Set(r.failures.map((f) => f.check));
  for (const k of ORDER) {
    c[k] = !failed.has(k);
    if (failed.has(k) && BLOCKING.has(k)) break;
  }
  // Upgrading with rows failed: the upgrade itself (without rows) is the one compared.
  if (failed.has('upgrade-with-rows') && !failed.has('upgrade')) c.upgrade = true;
  return c;
}

export interface Disagreement { check: CheckName; alembic: boolean; ours: boolean; alembicSays?: string; oursSays?: string }

/** The checks both ran whose verdicts differ. */
export function disagreements(ref: RefRevision, ours: RevisionResult): Disagreement[] {
  const a = referenceChecks(ref);
  const b = oursChecks(ours);
  const out: Disagreement[] = [];
  for (const k of COMPARED) {
    if (a[k] === undefined || b[k] === undefined || a[k] === b[k]) continue;
    out.push({ check: k, alembic: a[k]!, ours: b[k]!, alembicSays: refMessage(ref, k), oursSays: ours.failures.find((f) => f.check === k)?.message });
  }
  return out;
}

function refMessage(r: RefRevision, k: CheckName): string | undefined {
  if (k === 'upgrade') return r.upgrade ?? undefined;
  if (k === 'downgrade') return r.downgrade ?? undefined;
  if (k === 'upgrade-again') return r.upgrade_again ?? undefined;
  if (k === 'schema-restored') return r.differences.filter((d) => d.startsWith('after downgrade')).join('; ') || undefined;
  if (k === 'schema-reproduced') return r.differences.filter((d) => d.startsWith('after upgrade again')).join('; ') || undefined;
  return k === 'downgrade-present' ? (r.downgrade_present ? 'present' : 'empty or missing') : undefined;
}

// ---- why a revision does not reverse --------------------------------------------------------

/** An error without the names at hand: quoted names, numbers, the SQL and SQLAlchemy's link left out. */
export function errorCause(e: string): string {
  let s = e.replace(/\s*\(line \d+\)$/, '').replace(/\[SQL:[\s\S]*$/, '').replace(/\(Background on this error[^)]*\)/, '')
    .replace(/(no such (?:table|column|index)|duplicate column name): \S+/, '$1: …').replace(/\b(table|index|column) \S+ already exists/, '$1 … already exists')
    .replace(/^[\w.]+: \((?:psycopg2\.errors|sqlite3|psycopg\.errors)\.(\w+)\)/, '$1:').replace(/LINE \d+:[\s\S]*$/, '');
  // Reprs of constraints and tables, innermost parentheses first.
  for (let i = 0; i < 5 && /\([^()]*\)/.test(s); i++) s = s.replace(/\([^()]*\)/g, '…');
  return s.replace(/(?<!\w)'[^']*'|"[^"]*"|`[^`]*`|<[^>]*>|\b[0-9a-f]{8,}\b|\d+/g, '…').replace(/(…\s*)+…/g, '…').replace(/\s+/g, ' ').trim().slice(0, 110);
}

const KIND = /^after (downgrade|upgrade again): (table|column|index|enum type|sequence|view|foreign key|unique constraint|check constraint|primary key of) (\S+): (.*) -> (.*)$/;

/** A schema difference in a few words: "index left behind", "column type changed", ... */
export function differenceCause(d: string): string {
  const m = KIND.exec(d);
  if (!m) return d.slice(0, 80);
  const [, when, kind, , before, after] = m;
  const what = kind === 'primary key of' ? 'primary key' : kind;
  let how: string;
  if (before === 'absent') how = when === 'downgrade' ? 'left behind' : 'extra after the second upgrade';
  else if (after === 'absent') how = when === 'downgrade' ? 'missing (dropped, not restored)' : 'missing after the second upgrade';
  else {
    let attrs = 'changed';
    try {
      const x = JSON.parse(before) as Record<string, unknown>;
      const y = JSON.parse(after) as Record<string, unknown>;
      if (Array.isArray(x) || Array.isArray(y)) throw new Error('labels');
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
      if (keys.length) attrs = `${keys.sort().join('/')} changed`;
    } catch { attrs = kind === 'enum type' ? 'labels changed' : 'changed'; /* not an object: labels, a view's text */ }
    how = attrs;
  }
  return `${what} ${how}${when === 'upgrade again' && !/second upgrade/.test(how) ? ' (second upgrade)' : ''}`;
}

/** Every cause of a revision not reversing (an empty downgrade() counts when the schema is not restored) (a revision may have several); empty when it reverses. */
export function causes(r: RefRevision): string[] {
  if (r.upgrade !== 'ok' || reverses(r)) return [];
  const out = new Set<string>();
  if (!r.downgrade_present) out.add('downgrade() empty or missing');
  // A missing downgrade() fails in Alembic as "module ... has no attribute 'downgrade'": counted above.
  if (r.downgrade !== 'ok' && !(!r.downgrade_present && /has no attribute 'downgrade'/.test(r.downgrade ?? ''))) out.add(`downgrade fails: ${errorCause(r.downgrade ?? '')}`);
  for (const d of r.differences) out.add(differenceCause(d));
  if (r.upgrade_again !== null && r.upgrade_again !== 'ok') out.add(`second upgrade fails: ${errorCause(r.upgrade_again)}`);
  return [...out];
}

export const reverses = (r: RefRevision) => r.upgrade === 'ok' && r.downgrade === 'ok' && r.restored === true && r.upgrade_again === 'ok' && r.reproduced === true;
