/**
 * create authors and books
 *
 * Written with knex's schema builder; runs in the same transaction as the rest of the run.
 */
import type { Knex } from 'knex';

export const revision = 'a1b2c3d4e5f6';
export const downRevision: string | null = null;

export async function upgrade(knex: Knex): Promise<void> {
  await knex.schema.createTable('authors', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable();
    t.string('country', 2);
  });
  await knex.schema.createTable('books', (t) => {
    t.increments('id');
    t.integer('author_id').notNullable().references('authors.id').onDelete('CASCADE');
    t.string('title', 200).notNullable();
  });
  await knex('authors').insert([{ name: 'Ursula K. Le Guin', country: 'US' }, { name: 'Stanisław Lem', country: 'PL' }]);
  await knex('books').insert([{ author_id: 1, title: 'The Dispossessed' }, { author_id: 2, title: 'Solaris' }]);
}

export async function downgrade(knex: Knex): Promise<void> {
  await knex.schema.dropTable('books');
  await knex.schema.dropTable('authors');
}
