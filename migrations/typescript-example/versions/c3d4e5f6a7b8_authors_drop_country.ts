/**
 * authors: drop country
 *
 * On SQLite knex rebuilds the table; the books pointing at authors keep their rows.
 */
import type { Knex } from 'knex';

export const revision = 'c3d4e5f6a7b8';
export const downRevision = 'b2c3d4e5f6a7';

export async function upgrade(knex: Knex): Promise<void> {
  await knex.schema.alterTable('authors', (t) => {
    t.dropColumn('country');
  });
}

export async function downgrade(knex: Knex): Promise<void> {
  await knex.schema.alterTable('authors', (t) => {
    t.string('country', 2);
  });
}
