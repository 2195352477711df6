/**
 * What `verify` (the stairway check) is asked and what it answers, shared by the CLI, the Test
 * Explorer and the benchmark. See docs/VERIFY.md for what each check means.
 */

/** The databases a revision is verified on (scratch databases only, never the configured one). */
export type VerifyDatabase = 'sqlite' | 'postgresql';

/** Where the PostgreSQL scratch database lives: an embedded PGlite (default) or a temporary database on a server. */
export type PostgresScratch = { mode: 'pglite' } | { mode: 'server'; url: string };

export interface VerifyOptions {
  databases: VerifyDatabase[];
  postgres?: PostgresScratch;
  /** Only the revisions of this range are checked (`a:b`, Alembic's syntax); the ones before are applied unchecked. */
  range?: string;
  /** Only these revisions are checked; the ones before them are applied unchecked. */
  revisions?: string[];
  /** Seed one generated row per table before each step (default true). */
  rows?: boolean;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
  /** A revision's check starts on a database. */
  onStart?: (revision: string, database: VerifyDatabase) => void;
  /** A revision's check ended on a database (results stream as they come). */
  onResult?: (r: RevisionResult) => void;
}

/**
 * The checks, in the order a step runs them:
 * - `upgrade`: the upgrade ran (on the database as the revisions before it left it).
 * - `upgrade-with-rows`: the upgrade ran with one row in every table (it failed only with rows).
 * - `downgrade-present`: the revision has a downgrade() that does something.
 * - `downgrade`: the downgrade ran.
 * - `schema-restored`: after the downgrade, the schema equals the one before the upgrade.
 * - `rows-kept`: after the downgrade, every table that was there before has its rows.
 * - `upgrade-again`: the upgrade ran a second time, after its downgrade.
 * - `schema-reproduced`: the second upgrade built the same schema as the first.
 */
export type CheckName = 'upgrade' | 'upgrade-with-rows' | 'downgrade-present' | 'downgrade' | 'schema-restored' | 'rows-kept' | 'upgrade-again' | 'schema-reproduced';

export interface CheckFailure {
  check: CheckName;
  /** One line: "after downgrade of 3f9a1c2d4e5b: column users.is_verified is still there". */
  message: string;
  /** Each difference in words, for the schema checks. */
  differences?: string[];
  /** The statement that failed and the file line it came from, for a failed step. */
  statement?: string;
  line?: number;
}

export type RevisionStatus = 'passed' | 'failed' | 'skipped';

export interface RevisionResult {
  revision: string;
  database: VerifyDatabase;
  /** The revision's file, and the line of its `def downgrade` (where failures are shown). */
  file: string;
  downgradeLine?: number;
  status: RevisionStatus;
  failures: CheckFailure[];
  /** Said but not failing (e.g. a table that could not get a generated row). */
  warnings: string[];
  /** Why it was not checked: the engine cannot run it, a revision before it failed, cancelled. */
  skippedReason?: string;
  durationMs: number;
}

export interface VerifyReport {
  /** One per revision checked per database, in walk order. */
  results: RevisionResult[];
  /** Project-level findings: more than one head, ... */
  problems: string[];
  durationMs: number;
}
