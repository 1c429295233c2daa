import type {Database} from 'better-sqlite3'
import {JoeError} from '../errors.js'

/** One schema change. Versions start at 1, increase by one, and are never edited once released. */
export interface Migration {
  version: number
  name: string
  up: string
}

/** `PRAGMA application_id` of a joe event store ("JOE1"), so other SQLite files are recognised. */
const APPLICATION_ID = 0x4a4f4531

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    up: `
      CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        source_name TEXT NOT NULL,
        content_hash TEXT UNIQUE,
        format TEXT NOT NULL,
        byte_size INTEGER NOT NULL DEFAULT 0,
        line_count INTEGER NOT NULL DEFAULT 0,
        event_count INTEGER NOT NULL DEFAULT 0,
        min_ts INTEGER,
        max_ts INTEGER,
        imported_at INTEGER NOT NULL
      );
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL,
        type TEXT NOT NULL,
        ts INTEGER NOT NULL,
        properties TEXT NOT NULL,
        message_id TEXT,
        import_id INTEGER REFERENCES imports(id)
      );
      CREATE INDEX events_customer_ts ON events(customer_id, ts, seq);
      CREATE UNIQUE INDEX events_message_id ON events(message_id);
    `,
  },
]

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0

/** Reads the applied version; 0 for a fresh file. Throws JOE3006 for a SQLite file that is not a joe store. */
export function currentSchemaVersion(db: Database, path: string): number {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined
  if (!hasTable) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {n: number}
    const appId = db.pragma('application_id', {simple: true}) as number
    if (tables.n > 0 || (appId !== 0 && appId !== APPLICATION_ID)) throw notAStore(path)
    return 0
  }
  // joe stamps its application id when it creates schema_migrations: tables named like joe's in
  // another application's database are not a joe store, whatever their names.
  if ((db.pragma('application_id', {simple: true}) as number) !== APPLICATION_ID) throw notAStore(path)
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as {v: number | null}
  return row.v ?? 0
}

/**
 * Brings the schema up to the newest migration, each in its own transaction, so an
 * interrupted upgrade leaves the store at the last complete version. Refuses (JOE3005)
 * a store written by a newer joe rather than guess at a schema it does not know.
 */
export function migrate(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const newest = migrations.at(-1)?.version ?? 0
  let version = currentSchemaVersion(db, path)
  if (version > newest) throw storeTooNew(path, version, newest)
  for (const migration of migrations) {
    if (migration.version <= version) continue
    db.exec('BEGIN IMMEDIATE')
    try {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      version = currentSchemaVersion(db, path)
      if (migration.version > version) {
        if (version === 0) {
          db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)')
          db.pragma(`application_id = ${APPLICATION_ID}`)
        }
        db.exec(migration.up)
        db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(migration.version, migration.name)
        version = migration.version
      }
      db.exec('COMMIT')
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
  }
  return version
}

function notAStore(path: string): JoeError {
  return new JoeError('JOE3006', `${path} is a SQLite database, but not a joe event store`, {
    hint: 'point `store` in joe.config.yaml (or --store) at a new file; joe creates it on first use',
  })
}

export function storeTooNew(path: string, version: number, newest: number): JoeError {
  return new JoeError('JOE3005', `${path} has schema version ${version}, newer than this joe understands (up to ${newest})`, {
    hint: 'upgrade joe (see the README for how to install it), or point at another store',
  })
}
