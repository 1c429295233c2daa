import {JoeError} from '../errors.js'
import {RUNTIME_MIGRATIONS} from '../runtime/runtime-migrations.js'
import type {SqlConnection} from './sql-connection.js'

/** One schema change of the deploy store; never edited once released. `up` is one script, or one per dialect. */
export interface DeployMigration {
  version: number
  name: string
  up: string | {sqlite: string; postgres: string}
}

/**
 * The environment store's schema (the deploy ledger, then the runtime of `joe serve`), the same in
 * SQLite and PostgreSQL. Several environments may share one
 * database: every row carries its environment. Revisions are shared, since they are content-addressed.
 */
export const DEPLOY_MIGRATIONS: readonly DeployMigration[] = [
  {
    version: 1,
    name: 'revisions, active revisions, ledger',
    up: `
      CREATE TABLE joe_revisions (
        hash TEXT PRIMARY KEY,
        journey_id TEXT NOT NULL,
        document TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE joe_ledger (
        env TEXT NOT NULL,
        id BIGINT NOT NULL,
        deployment BIGINT NOT NULL,
        kind TEXT NOT NULL,
        journey_id TEXT NOT NULL,
        action TEXT NOT NULL,
        from_hash TEXT REFERENCES joe_revisions(hash),
        to_hash TEXT REFERENCES joe_revisions(hash),
        actor TEXT NOT NULL,
        actor_email TEXT,
        at BIGINT NOT NULL,
        git_commit TEXT,
        message TEXT,
        details TEXT NOT NULL,
        prev_entry_hash TEXT,
        entry_hash TEXT NOT NULL,
        PRIMARY KEY (env, id)
      );
      CREATE TABLE joe_active (
        env TEXT NOT NULL,
        journey_id TEXT NOT NULL,
        revision TEXT NOT NULL REFERENCES joe_revisions(hash),
        paused INTEGER NOT NULL DEFAULT 0,
        since BIGINT NOT NULL,
        ledger_id BIGINT NOT NULL,
        PRIMARY KEY (env, journey_id)
      );
    `,
  },
  {
    version: 2,
    name: 'ledger index per journey; ledger is append-only',
    up: {
      sqlite: `
        CREATE INDEX joe_ledger_journey ON joe_ledger (env, journey_id, id);
        CREATE TRIGGER joe_ledger_no_update BEFORE UPDATE ON joe_ledger BEGIN SELECT RAISE(ABORT, 'the joe ledger is append-only'); END;
        CREATE TRIGGER joe_ledger_no_delete BEFORE DELETE ON joe_ledger BEGIN SELECT RAISE(ABORT, 'the joe ledger is append-only'); END;
      `,
      postgres: `
        CREATE INDEX joe_ledger_journey ON joe_ledger (env, journey_id, id);
        CREATE FUNCTION joe_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
          BEGIN RAISE EXCEPTION 'the joe ledger is append-only'; END
        $fn$;
        CREATE TRIGGER joe_ledger_no_change BEFORE UPDATE OR DELETE ON joe_ledger
          FOR EACH ROW EXECUTE FUNCTION joe_ledger_append_only();
      `,
    },
  },
  ...RUNTIME_MIGRATIONS,
  {
    version: 4,
    name: 'plan signing keys',
    up: 'CREATE TABLE joe_plan_keys (env TEXT PRIMARY KEY, key TEXT NOT NULL);',
  },
]

/** The lock key migrations take, so that two joe processes never migrate one store at once. */
const MIGRATE_LOCK = 'joe-migrate'

/**
 * Brings the store to the newest schema, each migration in its own transaction with its version
 * row, so a killed migration leaves the previous version. Returns the schema version.
 */
export async function migrateDeployStore(
  conn: SqlConnection,
  options: {now: number; display: string; lockTimeoutMs?: number; migrations?: readonly DeployMigration[]},
): Promise<number> {
  const migrations = options.migrations ?? DEPLOY_MIGRATIONS
  const newest = migrations.at(-1)?.version ?? 0
  // Usually the store is up to date: check without the lock, which a running deploy may hold.
  const known = await conn
    .query<{version: number | null}>('SELECT MAX(version) AS version FROM joe_schema_migrations')
    .then((rows) => Number(rows[0]?.version ?? 0))
    .catch(() => undefined)
  if (known === newest) return newest
  const current = await conn.lockedTransaction(MIGRATE_LOCK, options.lockTimeoutMs ?? 30_000, async (tx) => {
    await tx.query(
      'CREATE TABLE IF NOT EXISTS joe_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    )
    const rows = await tx.query<{version: number | null}>('SELECT MAX(version) AS version FROM joe_schema_migrations')
    return Number(rows[0]?.version ?? 0)
  })
  if (current > newest) {
    throw new JoeError('JOE6004', `the deploy store ${options.display} has schema ${current}, newer than this joe knows (${newest})`, {
      hint: 'upgrade joe (everyone deploying to this environment should use the same or a newer version)',
    })
  }
  let version = current
  for (const migration of migrations.filter((m) => m.version > current)) {
    await conn.lockedTransaction(MIGRATE_LOCK, options.lockTimeoutMs ?? 30_000, async (tx) => {
      // Another process may have migrated while we waited for the lock.
      const rows = await tx.query('SELECT version FROM joe_schema_migrations WHERE version = $1', [migration.version])
      if (rows.length > 0) return
      const up = typeof migration.up === 'string' ? migration.up : migration.up[conn.dialect]
      for (const statement of splitStatements(up)) await tx.query(statement)
      await tx.query('INSERT INTO joe_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        options.now,
      ])
    })
    version = migration.version
  }
  return version
}

/** Splits a script on `;` at line ends outside `$fn$` bodies and trigger BEGIN…END blocks. */
function splitStatements(script: string): string[] {
  const statements: string[] = []
  let current = ''
  let depth = 0
  for (const line of script.split('\n')) {
    current += `${line}\n`
    if (/\$fn\$/.test(line)) depth += (line.match(/\$fn\$/g) ?? []).length % 2 === 1 ? (depth > 0 ? -1 : 1) : 0
    if (depth === 0 && /;\s*$/.test(line) && !/\bBEGIN\b(?!.*\bEND;\s*$)/.test(line)) {
      const text = current.trim()
      if (text !== '') statements.push(text)
      current = ''
    }
  }
  if (current.trim() !== '') statements.push(current.trim())
  return statements
}
