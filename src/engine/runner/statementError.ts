/** A statement failed: the run was rolled back. Names the migration file and line. */
export class StatementError extends Error {
  /** Set when an autocommit block committed part of the run: what was kept (replaces "rolled back"). */
  kept?: string;
  constructor(message: string, readonly file: string, readonly line: number, readonly sql: string) {
    super(message);
    this.name = 'StatementError';
  }
}
