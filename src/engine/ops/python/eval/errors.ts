/**
 * Errors of evaluated code. `PythonError` is what Python itself would raise running the same code
 * (NameError, TypeError, KeyError...): handing the run to Alembic would not help, the migration
 * must be fixed. `Unsupported` (from values.ts) is what the engine does not evaluate.
 */
import { Unsupported } from '../../values';

export class PythonError extends Unsupported {
  constructor(line: number, readonly pyType: string, readonly detail: string) {
    super(line, pyType, `${detail} (Python raises ${pyType} here too; fix the migration)`);
    this.name = 'PythonError';
  }
}

/** The evaluation went on too long: a loop that would not end, or far more work than a migration does. */
export class BudgetExceeded extends Unsupported {}

/** Control flow inside the interpreter (not errors). */
export class BreakSignal { }
export class ContinueSignal { }
export class ReturnSignal { constructor(readonly value: unknown) {} }
