import { readEnvironment } from '@tidewater/config/environment';
import { isTidewaterError } from '@tidewater/errors';
import { migrateDatabase } from './migrate';

try {
  const { DATABASE_URL } = readEnvironment();
  const result = await migrateDatabase(DATABASE_URL);
  console.log(
    `Database is up to date (${result.applied.length} applied now, ${result.alreadyApplied.length} before).`,
  );
} catch (error) {
  if (isTidewaterError(error)) {
    console.error(`${error.code}: ${error.message}\n  ${error.remedy}`);
  } else {
    console.error(error instanceof Error ? error.message : String(error));
  }
  process.exit(1);
}
