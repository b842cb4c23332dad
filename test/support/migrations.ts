/** What the migration tests share: databases migrated up to a given migration, and the down()/up() round trip. */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/core/database/data-source-options.js';
import { ensureDatabase } from '../../src/core/database/ensure-database.js';
import { migrations } from '../../src/core/database/migrations/index.js';

/** The name of the migration just before `name` in the applied order. */
export function migrationBefore(name: string): string {
  return migrations[migrations.findIndex((m) => m.name === name) - 1].name;
}

/** Creates the database if needed and applies the migrations up to and including `upTo` (all when absent). */
export async function openMigrated(url: string, upTo?: string): Promise<DataSource> {
  await ensureDatabase(url);
  const options = dataSourceOptions(url);
  const list = upTo ? migrations.slice(0, migrations.findIndex((m) => m.name === upTo) + 1) : migrations;
  const ds = new DataSource({ ...options, migrations: list } as typeof options);
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

/** SHOW CREATE TABLE without the database-specific parts. */
export async function tableShape(ds: DataSource, table: string): Promise<string> {
  const [row] = await ds.query(`SHOW CREATE TABLE ${table}`);
  return String(row['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
}

/**
 * Runs migration `name`'s down() on `mine` (migrated up to it) and checks that `tables` then have exactly
 * their shape in `before` (migrated up to the one before it); then up() again, which must restore the shape
 * `mine` had.
 */
export async function expectDownThenUpRestores(mine: DataSource, before: DataSource, name: string, tables: readonly string[]): Promise<void> {
  const up = await Promise.all(tables.map((t) => tableShape(mine, t)));
  const migration = new (migrations.find((m) => m.name === name)!)();
  const runner = mine.createQueryRunner();
  try {
    await migration.down(runner);
    for (const t of tables) expect(await tableShape(mine, t)).toBe(await tableShape(before, t));
    await migration.up(runner);
  } finally {
    await runner.release();
  }
  expect(await Promise.all(tables.map((t) => tableShape(mine, t)))).toEqual(up);
}
