/**
 * The hand-made changes test/diff/autogen.test.ts applies to a copy of a database, per dialect:
 * CHANGES and RISKY to the fixture project's base schema, LINKED to an empty database.
 */

export const CHANGES: Record<'sqlite' | 'postgresql', string> = {
  // SQLite alters a column only by rebuilding its table: done by hand, as SQLAlchemy writes DDL.
  sqlite: `
    ALTER TABLE users ADD COLUMN bio TEXT;
    CREATE TABLE users_new (
\tid INTEGER NOT NULL, 
\temail VARCHAR(50) NOT NULL, 
\tname VARCHAR(100), 
\tscore INTEGER DEFAULT '10', 
\tbio TEXT, 
\tCONSTRAINT pk_users PRIMARY KEY (id), 
\tCONSTRAINT uq_users_email UNIQUE (email)
);
    INSERT INTO users_new SELECT id, email, name, score, bio FROM users;
    DROP TABLE users;
    ALTER TABLE users_new RENAME TO users;
    DROP INDEX ix_posts_title;
    CREATE TABLE posts_new (
\tid INTEGER NOT NULL, 
\tuser_id INTEGER, 
\ttitle VARCHAR(100) NOT NULL, 
\tstatus VARCHAR(9) DEFAULT 'draft' NOT NULL, 
\tsummary TEXT, 
\tCONSTRAINT pk_posts PRIMARY KEY (id), 
\tCONSTRAINT fk_posts_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
\tCONSTRAINT ck_posts_title_len CHECK (length(title) > 0), 
\tCONSTRAINT uq_posts_title UNIQUE (title), 
\tCONSTRAINT ck_posts_id_pos CHECK (id > 0)
);
    INSERT INTO posts_new (id, user_id, title, status) SELECT id, user_id, title, status FROM posts;
    DROP TABLE posts;
    ALTER TABLE posts_new RENAME TO posts;
    CREATE INDEX ix_posts_user_title ON posts (user_id, title) WHERE user_id IS NOT NULL;
    CREATE TABLE tags (
\tid INTEGER NOT NULL, 
\tpost_id INTEGER NOT NULL, 
\tname VARCHAR(30) NOT NULL, 
\tCONSTRAINT pk_tags PRIMARY KEY (id), 
\tCONSTRAINT fk_tags_post_id_posts FOREIGN KEY(post_id) REFERENCES posts (id), 
\tCONSTRAINT uq_tags_name UNIQUE (name)
);
    CREATE INDEX ix_tags_name_lower ON tags (lower(name));
    DROP TABLE audit;`,
  postgresql: `
    ALTER TABLE users ADD COLUMN bio text;
    COMMENT ON COLUMN users.bio IS 'about them';
    COMMENT ON TABLE users IS 'people';
    ALTER TABLE users ALTER COLUMN name TYPE varchar(100);
    ALTER TABLE users ALTER COLUMN score SET DEFAULT 10;
    CREATE TYPE mood AS ENUM ('happy', 'sad');
    ALTER TABLE users ADD COLUMN mood mood;
    ALTER TABLE posts DROP COLUMN legacy;
    ALTER TABLE posts ADD COLUMN summary text;
    DROP INDEX ix_posts_title;
    CREATE INDEX ix_posts_user_title ON posts (user_id, title) WHERE user_id IS NOT NULL;
    ALTER TABLE posts DROP CONSTRAINT fk_posts_user_id_users;
    ALTER TABLE posts ADD CONSTRAINT fk_posts_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
    ALTER TABLE posts ADD CONSTRAINT uq_posts_title UNIQUE (title);
    ALTER TABLE posts ADD CONSTRAINT ck_posts_id_pos CHECK (id > 0);
    ALTER TYPE post_status ADD VALUE 'archived';
    ALTER TYPE post_status ADD VALUE 'review' BEFORE 'published';
    CREATE TABLE tags (id serial, post_id integer NOT NULL, name varchar(30) NOT NULL, CONSTRAINT pk_tags PRIMARY KEY (id),
      CONSTRAINT fk_tags_post_id_posts FOREIGN KEY (post_id) REFERENCES posts (id), CONSTRAINT uq_tags_name UNIQUE (name));
    CREATE INDEX ix_tags_name_lower ON tags (lower(name));
    DROP TABLE audit;`,
};

export const RISKY: Record<'sqlite' | 'postgresql', string> = {
  sqlite: `
    CREATE TABLE users_new (
\tid INTEGER NOT NULL, 
\temail VARCHAR(50) NOT NULL, 
\tname VARCHAR(20) NOT NULL, 
\tscore INTEGER DEFAULT '0', 
\tcode VARCHAR(5) NOT NULL, 
\tCONSTRAINT pk_users PRIMARY KEY (id)
);
    DROP TABLE users;
    ALTER TABLE users_new RENAME TO users;
    CREATE TABLE posts_new (
\tid INTEGER NOT NULL, 
\tuser_id INTEGER, 
\ttitle VARCHAR(100) NOT NULL, 
\tlegacy INTEGER, 
\tstatus VARCHAR(9) DEFAULT 'draft' NOT NULL, 
\tCONSTRAINT pk_posts PRIMARY KEY (id), 
\tCONSTRAINT fk_posts_user_id_users FOREIGN KEY(user_id) REFERENCES users (id)
);
    DROP TABLE posts;
    ALTER TABLE posts_new RENAME TO posts;
    CREATE INDEX ix_posts_title ON posts (title);`,
  postgresql: `
    ALTER TABLE users ALTER COLUMN name TYPE varchar(20), ALTER COLUMN name SET NOT NULL;
    ALTER TABLE users ADD COLUMN code varchar(5) NOT NULL;
    ALTER TABLE users DROP CONSTRAINT uq_users_email;
    ALTER TABLE posts ALTER COLUMN legacy TYPE integer USING legacy::integer;
    ALTER TABLE posts DROP CONSTRAINT ck_posts_title_len;
    ALTER TYPE post_status RENAME VALUE 'published' TO 'public';`,
};

export const LINKED: Record<'sqlite' | 'postgresql', string> = {
  sqlite: `
    CREATE TABLE z_parent (id INTEGER NOT NULL, note TEXT, CONSTRAINT pk_z_parent PRIMARY KEY (id));
    CREATE TABLE a_child (id INTEGER NOT NULL, parent_id INTEGER, CONSTRAINT pk_a_child PRIMARY KEY (id),
      CONSTRAINT fk_a_child_parent FOREIGN KEY(parent_id) REFERENCES z_parent (id) ON DELETE SET NULL ON UPDATE CASCADE);
    CREATE TABLE c1 (id INTEGER NOT NULL, c2_id INTEGER, CONSTRAINT pk_c1 PRIMARY KEY (id), CONSTRAINT fk_c1_c2 FOREIGN KEY(c2_id) REFERENCES c2 (id));
    CREATE TABLE c2 (id INTEGER NOT NULL, c1_id INTEGER, CONSTRAINT pk_c2 PRIMARY KEY (id), CONSTRAINT fk_c2_c1 FOREIGN KEY(c1_id) REFERENCES c1 (id));`,
  postgresql: `
    CREATE TABLE z_parent (id integer PRIMARY KEY, note text);
    COMMENT ON TABLE z_parent IS 'parents';
    CREATE TABLE a_child (id integer PRIMARY KEY, parent_id integer,
      CONSTRAINT fk_a_child_parent FOREIGN KEY (parent_id) REFERENCES z_parent (id) ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED);
    CREATE TABLE c1 (id integer PRIMARY KEY, c2_id integer);
    CREATE TABLE c2 (id integer PRIMARY KEY, c1_id integer CONSTRAINT fk_c2_c1 REFERENCES c1 (id));
    ALTER TABLE c1 ADD CONSTRAINT fk_c1_c2 FOREIGN KEY (c2_id) REFERENCES c2 (id);
    CREATE VIEW parent_notes AS SELECT id, note FROM z_parent;
    CREATE SEQUENCE invoice_numbers INCREMENT BY 5 START WITH 100;
    CREATE TYPE grade AS ENUM ('low', 'high');
    CREATE TABLE other.items (id integer PRIMARY KEY, parent_id integer REFERENCES z_parent (id), grade grade);
    CREATE INDEX ix_items_parent ON other.items (parent_id);
    ALTER TABLE a_child ADD COLUMN item_id integer CONSTRAINT fk_a_child_item REFERENCES other.items (id);`,
};
