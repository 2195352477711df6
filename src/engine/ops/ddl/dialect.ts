/** Kept for older imports: the dialects live in `engine/dialects/`, one folder per database. */
export { dialectFor, POSTGRESQL, SQLITE } from '../../dialects';
export type { Dialect, DialectName } from '../../dialects';
