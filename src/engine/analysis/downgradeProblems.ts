/**
 * Every upgrade should have a downgrade that undoes it (the Lexikon guide: "All migrations must be
 * reversible"). Reports a missing `downgrade` and one that does nothing while `upgrade` does.
 */
import { Problem } from '../errors';
import { RevisionFileKind } from '../scripts/revisionFile';
import { findMigrationFunctions, MigrationFunction } from './migrationFunctions';

/** `fns` may be passed when the caller has already found the functions of `text`. */
export function findDowngradeProblems(file: string, text: string, kind: RevisionFileKind, fns: MigrationFunction[] = findMigrationFunctions(text, kind)): Problem[] {
  const upgrade = fns.find((f) => f.name === 'upgrade');
  const downgrade = fns.find((f) => f.name === 'downgrade');
  if (!upgrade) return [];
  if (!downgrade) {
    return [{ severity: 'error', code: 'missing-downgrade', file, line: upgrade.line,
      message: 'This revision has no downgrade(): it cannot be reverted. Add a downgrade() that undoes upgrade().' }];
  }
  if (downgrade.empty && !upgrade.empty) {
    return [{ severity: 'warning', code: 'empty-downgrade', file, line: downgrade.line,
      message: 'downgrade() does nothing while upgrade() changes the database: reverting this revision would leave its changes behind.' }];
  }
  return [];
}
