/**
 * Relative targets (`+2`, `-1`, `ae10+1`, `branch@-1`, `branch@+2`) resolved the way Alembic's
 * `_parse_upgrade_target` / `_parse_downgrade_target` do, including their errors.
 */
import { RevisionError } from './errors';
import { Revision, toTuple } from './revision';
import { asRevision, Ident, Resolved, RevisionMap } from './revisionMap';

/** `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)` matched at the start, like Python's re.match. */
const RELATIVE = /^(?:(.+?)@)?(\w+)?([+-]\d+)/;

const didntProduce = (relative: string, n: number) => new RevisionError(`Relative revision ${relative} didn't produce ${Math.abs(n)} migrations`);

export function parseDowngradeTarget<R extends Revision>(map: RevisionMap<R>, current: Ident, target: Ident, assertRelativeLength: boolean): [string | null, Resolved<R>] {
  if (target === null) return [null, null];
  if (typeof target !== 'string') throw new RevisionError('Expected downgrade target in string form');
  const m = RELATIVE.exec(target);
  if (m) {
    let branchLabel: string | null = m[1] ?? null;
    let symbol: string | null = m[2] ?? null;
    const relative = m[3];
    const n = Number.parseInt(relative, 10);
    if (n >= 0) {
      if (symbol === null) throw didntProduce(relative, n);
      const rev = map.walk(symbol, n, branchLabel, assertRelativeLength);
      if (rev === null) throw new RevisionError('Walked too far');
      return [branchLabel, rev];
    }
    const relativeRevision = symbol === null;
    if (relativeRevision) {
      if (branchLabel) {
        const cr = toTuple(current);
        let symbols: string[] = map.filterForLineage(cr, branchLabel);
        if (!symbols.length) {
          symbols = map.filterForLineage(map.getAllCurrent(cr), branchLabel).map((r) => r.revision);
        }
        if (symbols.length !== 1) throw new RevisionError(`Ambiguous walk: ${symbols.length} current revisions on branch '${branchLabel}'`);
        symbol = symbols[0];
      } else {
        const cr = toTuple(current);
        if (!cr.length) throw didntProduce(relative, n);
        symbol = cr[0];
        branchLabel = symbol;
      }
    }
    const start = branchLabel === null ? map.getRevision(symbol) : map.getRevision(`${branchLabel}@${symbol}`);
    const rev = map.walk(start, n, null, assertRelativeLength);
    if (rev === null) throw relativeRevision ? didntProduce(relative, n) : new RevisionError('Walked too far');
    return [branchLabel, rev];
  }
  const at = target.lastIndexOf('@');
  const branchLabel = at > 0 ? target.slice(0, at) : null;
  return [branchLabel, map.getRevision(target.slice(at + 1))];
}

export function parseUpgradeTarget<R extends Revision>(map: RevisionMap<R>, current: Ident, target: Ident, assertRelativeLength: boolean): Resolved<R>[] {
  const m = typeof target === 'string' ? RELATIVE.exec(target) : null;
  if (!m) return map.getRevisions(target);
  let currentRevs: readonly (string | null)[] = toTuple(current);
  const branchLabel = m[1] ?? null;
  const symbol = m[2] ?? null;
  const relativeStr = m[3];
  const relative = Number.parseInt(relativeStr, 10);
  if (relative > 0) {
    if (symbol === null) {
      if (!currentRevs.length) currentRevs = [null];
      let start: readonly (string | Resolved<R>)[] = currentRevs;
      if (branchLabel) {
        start = map.filterForLineage(map.getRevisions(currentRevs), branchLabel);
        if (!start.length) {
          const active = map.filterForLineage([...map.ancestors(map.getRevisions(currentRevs))], branchLabel);
          const downs = new Set(active.flatMap((r) => asRevision(r).normalizedDownRevisions));
          start = [...new Set(active.map((r) => asRevision(r).revision))].filter((id) => !downs.has(id));
          if (!start.length) start = [null];
        }
      }
      if (start.length > 1) throw new RevisionError('Ambiguous upgrade from multiple current revisions');
      const rev = map.walk(start[0], relative, branchLabel, assertRelativeLength);
      if (rev === null) throw didntProduce(relativeStr, relative);
      return [rev];
    }
    return [map.walk(map.getRevision(symbol), relative, branchLabel, assertRelativeLength)];
  }
  if (symbol === null) throw didntProduce(String(relative), relative);
  const start = branchLabel === null ? map.getRevision(symbol) : map.getRevision(`${branchLabel}@${symbol}`);
  return [map.walk(start, relative, null, assertRelativeLength)];
}
