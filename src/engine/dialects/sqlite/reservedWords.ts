/**
 * Words SQLAlchemy 1.4's SQLite dialect quotes when they are used as names (its RESERVED_WORDS):
 * the DDL we emit must quote exactly the names SQLAlchemy quotes, or the schema text differs.
 */
import { words } from '../naming';

export const SQLITE_RESERVED = words(
  'add after all alter analyze and as asc attach autoincrement before begin between by cascade case ' +
  'cast check collate column commit conflict constraint create cross current_date current_time ' +
  'current_timestamp database default deferrable deferred delete desc detach distinct drop each ' +
  'else end escape except exclusive exists explain fail false for foreign from full glob group ' +
  'having if ignore immediate in index indexed initially inner insert instead intersect into is ' +
  'isnull join key left like limit match natural not notnull null of offset on or order outer plan ' +
  'pragma primary query raise references reindex rename replace restrict right rollback row select ' +
  'set table temp temporary then to transaction trigger true union unique update using vacuum ' +
  'values view virtual when where ' +
  '');
