import { loadConfig } from '../config/config.schema.js';
import { migrateDatabase } from './migrate.js';

/** `npm run db:migrate`: create or upgrade the schema of DATABASE_URL. */
try {
  const config = loadConfig();
  const applied = await migrateDatabase(config.DATABASE_URL);
  console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Schema is up to date');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
