// `npm run rounds -- <command>`: operator tasks on the configured database.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSettings, SettingsError } from '../src/server/settings.ts';
import { migrateToLatest, openDatabase } from '../src/server/db.ts';
import { setAdmin } from '../src/server/repos/users.ts';
import { recordAudit } from '../src/server/repos/audit-log.ts';

process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));

const HELP = `Usage: npm run rounds -- <command> [arguments]

Commands:
  migrate              Apply pending database migrations (also done at start-up).
  grant-admin <email>  Make an existing account an administrator.
  help                 Show this help.

The database is DATABASE_URL when set, else the embedded one in DATA_DIR (.data).`;

const [command, ...args] = process.argv.slice(2);
if (!command || command === 'help' || command === '--help' || command === '-h') {
  console.log(HELP);
  process.exit(0);
}

let config;
try {
  config = parseSettings(process.env);
} catch (error) {
  console.error(error instanceof SettingsError ? error.message : error);
  process.exit(1);
}

const database = openDatabase({ url: config.DATABASE_URL, dataDir: path.resolve(config.DATA_DIR, 'pglite'), poolMax: 2 });
let exitCode = 0;
try {
  const applied = await migrateToLatest(database.db);
  switch (command) {
    case 'migrate':
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      break;
    case 'grant-admin': {
      const email = args[0]?.trim().toLowerCase();
      if (!email) {
        console.error('grant-admin needs an email: npm run rounds -- grant-admin someone@example.org');
        exitCode = 2;
        break;
      }
      if (await setAdmin(database.db, email)) {
        await recordAudit(database.db, { actorId: null, action: 'grant-admin', target: email, details: { via: 'cli' } });
        console.log(`${email} is now an administrator.`);
      } else {
        console.error(`No account uses ${email}. They need to sign up first.`);
        exitCode = 1;
      }
      break;
    }
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      exitCode = 2;
  }
} finally {
  await database.close();
}
process.exit(exitCode);
