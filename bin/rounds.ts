// `npm run rounds -- <command>`: operator tasks on the configured database.
import { fileCatalog } from '#server/kernel/file-catalog.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSettings, SettingsError } from '#server/platform/settings.ts';
import { migrateToLatest, openDatabase } from '#server/platform/db.ts';
import { grantAdmin } from '#server/accounts/index.ts';
import { BackupError, backupDatabase, ensureEmbeddedFree, restoreDatabase } from '#server/platform/backup.ts';
import { runJobs } from '#server/platform/jobs.ts';
import { DemoRefusedError, seedDemo } from '#server/demo/index.ts';
import { rotateSigningKey } from '#server/certificates/index.ts';

process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));

const HELP = `Usage: npm run rounds -- <command> [arguments]

Commands:
  migrate              Apply pending database migrations (also done at start-up).
  grant-admin <email>  Make an existing account an administrator.
  run-jobs             Deliver due team reminders (asked for and automatic), leaders' digests and
                       event nudges once. The running server does this itself every minute:
                       run-jobs is for PostgreSQL or a stopped server.
  seed-demo            Fill a fresh database with a demo team and print its sign-ins.
  rotate-signing-key   Make a new key for signing certificate credentials; old keys stay published
                       at /.well-known/jwks.json so what they signed still verifies.
  backup <file>        Write a backup: pg_dump's custom format for PostgreSQL, a .tar.gz of the
                       embedded database (stop Rounds first for the embedded one).
  restore <file>       Replace the database with a backup (embedded: stop Rounds first; the old
                       folder is kept beside it).
  help                 Show this help.

The database is DATABASE_URL when set, else the embedded one in DATA_DIR (.data).
The embedded database belongs to one process: every command refuses while Rounds has it
open (stop Rounds first; a running server already delivers reminders and nudges every
minute). --force skips that check, for a folder a crashed server left marked as open.`;

const [command, ...rest] = process.argv.slice(2);
if (!command || command === 'help' || command === '--help' || command === '-h') {
  console.log(HELP);
  process.exit(0);
}
const COMMANDS = ['migrate', 'grant-admin', 'run-jobs', 'seed-demo', 'rotate-signing-key', 'backup', 'restore'];
if (!COMMANDS.includes(command)) {
  console.error(`Unknown command "${command}".\n\n${HELP}`);
  process.exit(2);
}
const force = rest.includes('--force');
const args = rest.filter((arg) => !arg.startsWith('--'));

let config;
try {
  config = parseSettings(process.env);
} catch (error) {
  console.error(error instanceof SettingsError ? error.message : error);
  process.exit(1);
}

const dataDir = path.resolve(config.DATA_DIR, 'pglite');
// A second process opening the server's PGlite folder could corrupt it: every command refuses first.
if (!config.DATABASE_URL) {
  try {
    ensureEmbeddedFree(dataDir, force, `npm run rounds -- ${command}`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

// Backup and restore work on the database as it is: without migrating it first, and
// (embedded) without holding its folder open.
if (command === 'backup' || command === 'restore') {
  const file = args[0];
  if (!file) {
    console.error(
      `${command} needs a file: npm run rounds -- ${command} backups/rounds-$(date +%F).${config.DATABASE_URL ? 'dump' : 'tar.gz'}`,
    );
    process.exit(2);
  }
  const target = { url: config.DATABASE_URL, dataDir, file, force };
  try {
    if (command === 'backup') {
      const done = await backupDatabase(target);
      console.log(
        `Backed up ${config.DATABASE_URL ? 'the PostgreSQL database' : 'the embedded database'} to ${done.file} (${(done.bytes / 1024).toFixed(0)} KiB, ${(done.ms / 1000).toFixed(1)} s).`,
      );
    } else {
      if (!config.DATABASE_URL) console.log('Restoring the embedded database: Rounds must be stopped while this runs.');
      const done = await restoreDatabase(target);
      console.log(
        `Restored ${file} in ${(done.ms / 1000).toFixed(1)} s.${done.previous ? ` The previous data is kept in ${done.previous}; remove it once you are satisfied.` : ''}`,
      );
    }
    process.exit(0);
  } catch (error) {
    console.error(error instanceof BackupError ? error.message : error);
    process.exit(1);
  }
}

const database = openDatabase({ url: config.DATABASE_URL, dataDir, poolMax: 2 });
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
      if (await grantAdmin(database.db, email, null)) {
        console.log(`${email} is now an administrator.`);
      } else {
        console.error(`No account uses ${email}. They need to sign up first.`);
        exitCode = 1;
      }
      break;
    }
    case 'run-jobs': {
      const {
        reminders: result,
        automaticReminders,
        leaderDigests,
        nudges,
        reviewQuestions,
      } = await runJobs(database.db, fileCatalog());
      console.log(
        `Reminders: ${result.sent} sent, ${result.postponed} held for quiet hours, ${result.skipped} no longer needed, ${result.failed} failed (retried later).`,
      );
      console.log(
        `Event nudges: ${nudges.sent} sent, ${nudges.waiting} held for quiet hours, ${nudges.failed} failed (retried later).`,
      );
      console.log(
        `Event review questions: ${reviewQuestions.sent} sent, ${reviewQuestions.waiting} held for quiet hours, ${reviewQuestions.failed} failed (retried later).`,
      );
      console.log(
        `Automatic reminders: ${automaticReminders.sent} emails sent (${automaticReminders.reminders} reminders), ${automaticReminders.waiting} waiting for quiet hours or the next day, ${automaticReminders.failed} failed (retried later).`,
      );
      console.log(
        `Leaders' Monday digests: ${leaderDigests.sent} sent, ${leaderDigests.waiting} waiting, ${leaderDigests.failed} failed (retried later).`,
      );
      if (result.failed || nudges.failed || reviewQuestions.failed || automaticReminders.failed || leaderDigests.failed)
        exitCode = 1;
      break;
    }
    case 'seed-demo': {
      try {
        const demo = await seedDemo(database.db, fileCatalog());
        console.log(`Demo team ready: /teams/${demo.teamId} (invite code TEAM-4WST).\n`);
        console.log(`Every demo account uses the password: ${demo.password}\n`);
        console.log(`  leader   ${demo.leader}`);
        for (const email of demo.members) console.log(`  member   ${email}`);
      } catch (error) {
        if (!(error instanceof DemoRefusedError)) throw error;
        console.error(error.message);
        exitCode = 1;
      }
      break;
    }
    case 'rotate-signing-key': {
      const { kid, published } = await rotateSigningKey(database.db, null);
      console.log(
        `New certificate signing key ${kid}. /.well-known/jwks.json now lists ${published} keys; credentials signed with the old ones still verify.`,
      );
      break;
    }
  }
} finally {
  await database.close();
}
process.exit(exitCode);
