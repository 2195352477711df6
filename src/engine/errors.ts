/**
 * The error every engine layer throws for a problem the user can act on. `message` is the text
 * Alembic would print after "FAILED: " (or our own wording where Alembic has none); `where`
 * names the file (and line) involved and `hint` says what to do.
 */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly where?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** A problem found while reading files: collected, never thrown, so one bad file spoils nothing else. */
export interface Problem {
  severity: 'error' | 'warning' | 'info' | 'hint';
  /** Stable identifier, e.g. `missing-parent`, `non-literal`, used by diagnostics and tests. */
  code: string;
  message: string;
  file?: string;
  /** 1-based line, when known. */
  line?: number;
}

/** SQLite: a string given to one execute() holds several statements (pysqlite's own message). */
export class MultipleStatements extends Error {
  constructor() { super('You can only execute one statement at a time.'); }
}
