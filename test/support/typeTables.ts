/** A table `t` with a column of every type the database reports, per dialect (autogenerate's type tests). */
export const TYPE_TABLES: Record<'sqlite' | 'postgresql', string> = {
  postgresql: `
    CREATE TYPE status AS ENUM ('a', 'b''s');
    CREATE TABLE t (
      c_int integer, c_big bigint, c_small smallint, c_bool boolean, c_text text, c_date date, c_real real,
      c_double double precision, c_interval interval, c_json json, c_jsonb jsonb, c_uuid uuid, c_bytea bytea, c_inet inet,
      c_cidr cidr, c_macaddr macaddr, c_money money, c_tsvector tsvector, c_oid oid,
      c_varchar varchar(50), c_varchar_n varchar, c_char char(3), c_char1 char, c_numeric numeric(10, 2), c_numeric_n numeric,
      c_ts timestamp, c_tstz timestamptz, c_ts3 timestamp(3), c_tstz3 timestamp(3) with time zone, c_time time, c_timetz timetz,
      c_bit bit(4), c_int_arr integer[], c_text_arr text[], c_varchar_arr varchar(20)[], c_enum status, c_enum_arr status[]
    )`,
  sqlite: `
    CREATE TABLE t (
      c_int INT, c_integer INTEGER, c_big BIGINT, c_small SMALLINT, c_medium MEDIUMINT, c_varchar VARCHAR(50), c_nvarchar NVARCHAR(20),
      c_char CHAR(3), c_text TEXT, c_varchar_n VARCHAR, c_bool BOOLEAN, c_datetime DATETIME, c_date DATE, c_time TIME,
      c_timestamp TIMESTAMP, c_numeric NUMERIC(10, 2), c_decimal DECIMAL(5), c_float FLOAT, c_real REAL, c_double DOUBLE,
      c_blob BLOB, c_json JSON, c_string STRING, c_clob CLOB, c_nchar NCHAR(4)
    )`,
};
