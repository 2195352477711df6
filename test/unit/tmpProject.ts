/** Writes small project trees into a fresh temporary folder for tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function writeTree(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-test-')));
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  return root;
}

export function pyRevision(rev: string, down: string | string[] | null, message = `rev ${rev}`, extra = ''): string {
  const downRepr = down === null ? 'None' : Array.isArray(down) ? `(${down.map((d) => `'${d}'`).join(', ')})` : `'${down}'`;
  return `"""${message}\n\nRevision ID: ${rev}\n"""\nrevision = '${rev}'\ndown_revision = ${downRepr}\n${extra}\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;
}
