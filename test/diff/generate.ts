/**
 * Seeded random Alembic projects: revision graphs with several bases, branchpoints, merges of 2
 * and 3 heads, branch labels and depends_on, written in the file styles real projects use.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** mulberry32: small, seedable, good enough to shape test graphs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenRevision {
  id: string;
  down: string[];
  labels: string[];
  depends: string[];
  message: string;
  longText?: string;
}

const WORDS = ['kilo', 'lima', 'mike', 'oscar', 'papa', 'romeo', 'tango', 'victor'];

export function generateGraph(seed: number, size: number): GenRevision[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const revs: GenRevision[] = [];
  const heads = new Set<string>();
  const used = new Set<string>();
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  let labelNo = 0;
  for (let i = 0; i < size; i++) {
    let id: string;
    const style = r();
    if (style < 0.05) id = WORDS.find((w) => !used.has(w)) ?? hex(12);
    else if (style < 0.15 && revs.length) id = revs[revs.length - 1].id.slice(0, 4) + hex(8); // shares a prefix
    else id = hex(12);
    if (used.has(id)) id = hex(12);
    used.add(id);
    let down: string[];
    const hs = [...heads];
    if (i === 0 || r() < 0.06) down = [];
    else if (hs.length >= 2 && r() < 0.25) {
      const n = hs.length >= 3 && r() < 0.4 ? 3 : 2;
      down = [...hs].sort(() => r() - 0.5).slice(0, n);
    } else if (r() < 0.75 && hs.length) down = [pick(hs)];
    else down = [pick(revs).id];
    const labels: string[] = [];
    const forks = down.length === 1 && !heads.has(down[0]);
    if ((down.length === 0 || forks) && r() < 0.5) {
      labels.push(`branch${labelNo++}`);
      if (r() < 0.2) labels.push(`alias${labelNo++}`);
    }
    const depends: string[] = [];
    if (revs.length > 2 && r() < 0.1) {
      const candidate = pick(revs);
      if (!down.includes(candidate.id)) depends.push(r() < 0.3 && candidate.labels.length ? candidate.labels[0] : candidate.id);
    }
    for (const d of down) heads.delete(d);
    heads.add(id);
    const message = r() < 0.1 ? `merge heads` : `${pick(['add', 'drop', 'alter', 'create'])} ${pick(['users', 'orders', 'invoices', 'terms'])} ${i}`;
    revs.push({ id, down, labels, depends, message, longText: r() < 0.3 ? `Why: ticket #${i}.\n\nMore detail on a second paragraph.` : undefined });
  }
  return revs;
}

const pyList = (xs: string[], quote: string, tuple: boolean) =>
  tuple ? `(${xs.map((x) => `${quote}${x}${quote}`).join(', ')}${xs.length === 1 ? ',' : ''})` : `[${xs.map((x) => `${quote}${x}${quote}`).join(', ')}]`;

/** One revision file in one of several real-world styles, chosen by the seed. */
export function renderRevision(rev: GenRevision, style: number): string {
  const q = style % 2 ? '"' : "'";
  const downValue = rev.down.length === 0 ? 'None' : rev.down.length === 1 ? `${q}${rev.down[0]}${q}` : pyList(rev.down, q, style % 3 !== 0);
  const labels = rev.labels.length === 0 ? 'None' : rev.labels.length === 1 && style % 4 === 0 ? `${q}${rev.labels[0]}${q}` : pyList(rev.labels, q, style % 4 !== 1);
  const depends = rev.depends.length === 0 ? 'None' : style % 5 === 0 ? `${q}${rev.depends[0]}${q}` : pyList(rev.depends, q, false);
  const doc = `"""${rev.message}\n\n${rev.longText ? rev.longText + '\n\n' : ''}Revision ID: ${rev.id}\nRevises: ${rev.down.join(', ')}\nCreate Date: 2025-06-0${style % 9 + 1} 12:00:00.000000\n\n"""`;
  const body = `\n\ndef upgrade() -> None:\n    op.execute("SELECT 1")\n\n\ndef downgrade() -> None:\n    pass\n`;
  switch (style % 5) {
    case 0: // Alembic's current template: annotated
      return `${doc}\nfrom typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n# revision identifiers, used by Alembic.\nrevision: str = ${q}${rev.id}${q}\ndown_revision: Union[str, Sequence[str], None] = ${downValue}\nbranch_labels: Union[str, Sequence[str], None] = ${labels}\ndepends_on: Union[str, Sequence[str], None] = ${depends}\n${body}`;
    case 1: // the classic template
      return `${doc}\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n# revision identifiers, used by Alembic.\nrevision = ${q}${rev.id}${q}\ndown_revision = ${downValue}\nbranch_labels = ${labels}\ndepends_on = ${depends}\n${body}`;
    case 2: // coding line, CRLF line endings, comments between the assignments
      return `# -*- coding: utf-8 -*-\n${doc}\nfrom alembic import op\n\nrevision = ${q}${rev.id}${q}  # this revision\n# its parent(s)\ndown_revision = ${downValue}\nbranch_labels = ${labels}\ndepends_on = ${depends}\n${body}`.replace(/\n/g, '\r\n');
    case 3: // docstring after the imports: Alembic then has no message
      return `from alembic import op\n${doc}\nrevision = ${q}${rev.id}${q}\ndown_revision = ${downValue}\nbranch_labels = ${labels}\ndepends_on = ${depends}\n${body}`;
    default: // multi-line values and a one-line docstring
      return `"""${rev.message}"""\nfrom alembic import op\n\nrevision = (\n    ${q}${rev.id}${q}\n)\ndown_revision = ${downValue.replace(', ', ',\n    ')}\nbranch_labels = ${labels}\ndepends_on = ${depends}\n${body}`;
  }
}

export function writeProject(revs: GenRevision[], seed: number): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `diff-${seed}-`)));
  const versions = path.join(root, 'alembic', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/alembic\npath_separator = os\nsqlalchemy.url = sqlite:///%(here)s/app.db\n');
  fs.writeFileSync(path.join(root, 'alembic', 'env.py'), 'raise SystemExit("env.py is not needed for read-only verbs")\n');
  fs.writeFileSync(path.join(versions, '__init__.py'), '');
  fs.writeFileSync(path.join(versions, 'README'), 'not a revision');
  revs.forEach((rev, i) => {
    const slug = rev.message.replace(/\W+/g, '_').toLowerCase();
    fs.writeFileSync(path.join(versions, `${rev.id}_${slug}.py`), renderRevision(rev, (seed + i) % 10));
  });
  return root;
}
