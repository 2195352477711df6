/**
 * The likely parents of a revision whose down_revision names nothing, and the edit that puts one
 * in its place. Pure (no vscode): fixParent.ts asks the user and writes the file.
 */
import { parentsOf, Revisions } from './model';

export interface ParentCandidate { id: string; doc: string; why: string }

/** Levenshtein distance, stopping early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...cur) > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** Likely parents for `revision` in place of `missing`: close ids first, then heads; never itself or a descendant (a cycle). */
export function parentCandidates(files: Revisions, revision: string, missing: string): ParentCandidate[] {
  const children = new Map<string, string[]>();
  for (const f of files) for (const p of parentsOf(f)) (children.get(p) ?? children.set(p, []).get(p)!).push(f.revision);
  const below = new Set<string>([revision]);
  for (const todo = [revision]; todo.length;) for (const c of children.get(todo.pop()!) ?? []) if (!below.has(c)) { below.add(c); todo.push(c); }
  const out: ParentCandidate[] = [];
  const doc = (f: Revisions[number]) => f.longdoc.split('\n\n')[0];
  for (const f of files) {
    if (below.has(f.revision)) continue;
    const d = distance(f.revision, missing, 3);
    if (d <= 3 || (missing.length >= 4 && (f.revision.startsWith(missing) || missing.startsWith(f.revision)))) out.push({ id: f.revision, doc: doc(f), why: `close to ${missing}` });
  }
  const close = new Set(out.map((c) => c.id));
  for (const f of files) {
    if (!below.has(f.revision) && !close.has(f.revision) && !children.has(f.revision)) out.push({ id: f.revision, doc: doc(f), why: 'a head' });
  }
  return out.slice(0, 30);
}

/** The file's text with `missing` replaced by `parent` in its down_revision (from that line on), or undefined. */
export function replaceParent(text: string, downRevisionLine: number | undefined, missing: string, parent: string): { start: number; end: number; text: string } | undefined {
  let offset = 0;
  for (let line = 1; line < (downRevisionLine ?? 1); line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return undefined;
    offset = nl + 1;
  }
  const escaped = missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(['"])${escaped}\\1`, 'g');
  m.lastIndex = offset;
  const hit = m.exec(text);
  if (!hit) return undefined;
  return { start: hit.index + 1, end: hit.index + 1 + missing.length, text: parent };
}
