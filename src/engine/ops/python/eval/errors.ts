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
export class BreakSignal { constructor(readonly line = 0) {} }
export class ContinueSignal { constructor(readonly line = 0) {} }
export class ReturnSignal { constructor(readonly value: unknown) {} }

/** Raised by `raise` inside the migration (world.ts): the rest of the function does not run. */
export class StopEvaluation { constructor(readonly line = 0, readonly message = '') {} }

/**
 * What stops a module's top level for good, as Python would stop loading it: a `raise` outside any
 * function (the import fails), `return` / `break` / `continue` outside a function or a loop (a
 * SyntaxError: the file does not load).
 */
export class ModuleLoadError extends Unsupported {}
