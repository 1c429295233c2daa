import {existsSync, mkdirSync} from 'node:fs'
import {dirname} from 'node:path'
import Database from 'better-sqlite3'
import {JoeError} from '../errors.js'
import {currentSchemaVersion, MIGRATIONS, type Migration, migrate, storeTooNew} from './migrations.js'
import {storeStats} from './queries.js'
import type {EventStore} from './store-types.js'

export interface OpenStoreOptions {
  /** Open without writing anything: the file must exist and be at the current schema. */
  readonly?: boolean
  /** Milliseconds to wait for another process's write lock before failing with JOE3009; default 5000. */
  busyTimeoutMs?: number
  /** For tests: the migration list to apply instead of joe's own. */
  migrations?: readonly Migration[]
}

/**
 * Opens (and on first use creates, with its parent folder) the SQLite event store at `path`,
 * in WAL mode, migrated to the newest schema. `:memory:` gives a throw-away store.
 */
export function openEventStore(path: string, options: OpenStoreOptions = {}): EventStore {
  const readonly = options.readonly ?? false
  const migrations = options.migrations ?? MIGRATIONS
  const inMemory = path === ':memory:' || path === ''
  if (readonly && !inMemory && !existsSync(path)) {
    throw new JoeError('JOE3008', `no event store at ${path}`, {
      hint: 'import events first (it creates the store), or check `store` in joe.config.yaml',
    })
  }
  if (!readonly && !inMemory) {
    try {
      mkdirSync(dirname(path), {recursive: true})
    } catch (cause) {
      throw new JoeError('JOE3008', `cannot create the folder for the event store ${path}: ${(cause as Error).message}`, {cause})
    }
  }

  let db: Database.Database
  try {
    db = new Database(path, {readonly, fileMustExist: readonly})
  } catch (cause) {
    throw new JoeError('JOE3008', `cannot open the event store ${path}: ${(cause as Error).message}`, {cause})
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
    let schemaVersion: number
    if (readonly) {
      schemaVersion = currentSchemaVersion(db, path)
      const newest = migrations.at(-1)?.version ?? 0
      if (schemaVersion > newest) throw storeTooNew(path, schemaVersion, newest)
      if (schemaVersion < newest) {
        throw new JoeError('JOE3007', `${path} was written by an older joe (schema ${schemaVersion}, current ${newest})`, {
          hint: 'open it once for writing (e.g. import into it) so joe can upgrade it',
        })
      }
    } else {
      if (!inMemory) db.pragma('journal_mode = WAL')
      // NORMAL is safe in WAL mode against a killed process; only an OS crash may lose the last commit.
      db.pragma('synchronous = NORMAL')
      schemaVersion = migrate(db, path, migrations)
    }
    return makeStore(db, path, readonly, schemaVersion)
  } catch (error) {
    db.close()
    throw translateSqliteError(error, path)
  }
}

function makeStore(db: Database.Database, path: string, readonly: boolean, schemaVersion: number): EventStore {
  const store: EventStore = {
    db,
    path,
    readonly,
    schemaVersion,
    stats: () => storeStats(store),
    close: () => {
      if (db.open) db.close()
    },
  }
  return store
}

/** Turns SQLite errors users can act on into JoeErrors; anything else stays a bug. */
export function translateSqliteError(error: unknown, path: string): unknown {
  if (!(error instanceof Error) || !('code' in error)) return error
  const code = (error as {code: unknown}).code
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new JoeError('JOE3006', `${path} is not a usable joe event store: ${error.message}`, {
      hint: 'point `store` in joe.config.yaml (or --store) at a new file; joe creates it on first use',
      cause: error,
    })
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new JoeError('JOE3009', `the event store ${path} is busy: another process is writing to it`, {
      hint: 'wait for the other import to finish, then try again',
      cause: error,
    })
  }
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new JoeError('JOE3008', `cannot write the event store ${path}: ${error.message}`, {
      hint: 'check that the file and its folder are writable',
      cause: error,
    })
  }
  return error
}
