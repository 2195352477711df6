-- books: publication year
--
-- Plain SQL, one section per direction.
--
-- Revision ID: b2c3d4e5f6a7
-- Revises: a1b2c3d4e5f6

-- migrate:upgrade
ALTER TABLE books ADD COLUMN published INTEGER;
UPDATE books SET published = 1974 WHERE title = 'The Dispossessed';
UPDATE books SET published = 1961 WHERE title = 'Solaris';

-- migrate:downgrade
ALTER TABLE books DROP COLUMN published;
