/**
 * Words SQLAlchemy 1.4's PostgreSQL dialect quotes when they are used as names (its RESERVED_WORDS):
 * the DDL we emit must quote exactly the names SQLAlchemy quotes, or the schema text differs.
 */
import { words } from '../naming';

export const POSTGRESQL_RESERVED = words(
  'all analyse analyze and any array as asc asymmetric authorization between binary both case cast ' +
  'check collate column constraint create cross current_catalog current_date current_role ' +
  'current_schema current_time current_timestamp current_user default deferrable desc distinct do ' +
  'else end except false fetch for foreign freeze from full grant group having ilike in initially ' +
  'inner intersect into is isnull join leading left like limit localtime localtimestamp natural new ' +
  'not notnull null of off offset old on only or order outer over overlaps placing primary ' +
  'references returning right select session_user similar some symmetric table then to trailing ' +
  'true union unique user using variadic verbose when where window with ' +
  '');
