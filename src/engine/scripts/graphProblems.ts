/**
 * Problems of the revision graph, found from the files alone and tied to file:line, so that the
 * editor can show all of them at once (Alembic stops at the first): a parent or dependency that
 * names nothing, a duplicate id, a revision that is its own parent, a cycle, a reused branch label.
 */
import { Problem } from '../errors';
import { RevisionFileInfo } from './revisionFile';

type Rev = RevisionFileInfo & { revision: string };

const asList = (v: string | string[] | null): string[] => v === null ? [] : typeof v === 'string' ? [v] : v;

export function findGraphProblems(files: RevisionFileInfo[]): Problem[] {
  const revs = files.filter((f): f is Rev => f.revision !== undefined);
  const problems: Problem[] = [];
  const byId = new Map<string, Rev>();
  const labels = new Map<string, Rev>();
  for (const f of revs) {
    const first = byId.get(f.revision);
    if (first) {
      problems.push({ severity: 'warning', code: 'duplicate-revision', file: f.path, line: f.lines.revision,
        message: `Revision ${f.revision} is present more than once (also in ${first.path}); the last file read wins.` });
    }
    byId.set(f.revision, f);
    for (const label of f.branchLabels) {
      const owner = labels.get(label);
      if (owner && owner !== f) {
        problems.push({ severity: 'error', code: 'duplicate-label', file: f.path, line: f.lines.branch_labels,
          message: `Branch name '${label}' in revision ${f.revision} already used by revision ${owner.revision}` });
      } else labels.set(label, f);
    }
  }
  for (const f of byId.values()) {
    const downs = asList(f.downRevision);
    if (downs.includes(f.revision)) {
      problems.push({ severity: 'error', code: 'self-parent', file: f.path, line: f.lines.down_revision,
        message: `Revision ${f.revision} is listed as its own down_revision` });
    }
    for (const d of downs) {
      if (!byId.has(d)) {
        problems.push({ severity: 'error', code: 'missing-parent', file: f.path, line: f.lines.down_revision,
          message: `down_revision '${d}' names no revision of this project (Revision ${d} referenced from ${f.revision} is not present). Fix the id or restore the missing file.` });
      }
    }
    for (const d of f.dependsOn) {
      if (!byId.has(d) && !labels.has(d) && !matchesOnePrefix(d, byId)) {
        problems.push({ severity: 'error', code: 'missing-dependency', file: f.path, line: f.lines.depends_on,
          message: `depends_on '${d}' names no revision or branch label of this project.` });
      }
    }
  }
  problems.push(...findCycles(byId));
  return problems;
}

function matchesOnePrefix(id: string, byId: Map<string, Rev>): boolean {
  if (id.length < 4) return false;
  let n = 0;
  for (const k of byId.keys()) if (k.startsWith(id)) n++;
  return n === 1;
}

/** Iterative DFS over parent links; each cycle is reported once, at every member's down_revision. */
function findCycles(byId: Map<string, Rev>): Problem[] {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const problems: Problem[] = [];
  for (const start of byId.keys()) {
    if (state.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    const path: string[] = [start];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const downs = asList(byId.get(top.id)!.downRevision).filter((d) => byId.has(d) && d !== top.id);
      if (top.next >= downs.length) {
        state.set(top.id, 2);
        stack.pop();
        path.pop();
        continue;
      }
      const d = downs[top.next++];
      const s = state.get(d);
      if (s === 1) {
        const cycle = path.slice(path.indexOf(d));
        for (const id of cycle) {
          const f = byId.get(id)!;
          problems.push({ severity: 'error', code: 'cycle', file: f.path, line: f.lines.down_revision,
            message: `Cycle is detected in revisions (${cycle.join(', ')})` });
        }
      } else if (!s) {
        state.set(d, 1);
        stack.push({ id: d, next: 0 });
        path.push(d);
      }
    }
  }
  return problems;
}
