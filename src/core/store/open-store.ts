import {existsSync, mkdirSync, statSync} from 'node:fs'
import {dirname} from 'node:path'
import Database from 'better-sqlite3'
import {JoeError} from '../errors.js'
import {describeFileType} from '../project/user-files.js'
import {currentSchemaVersion, MIGRATIONS, type Migration, migrate, storeTooNew} from './migrations.js'
import {storeStats} from './queries.js'
import {translateSqliteError} from './sqlite-errors.js'
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
  // A folder or a device where the store file should be: SQLite's own message ("disk I/O error") says less.
  const existing = inMemory ? undefined : statSync(path, {throwIfNoEntry: false})
  if (existing && !existing.isFile()) {
    throw new JoeError('JOE3008', `the event store ${path} is ${describeFileType(existing)}, not a store file`, {
      hint: 'point `store` in joe.config.yaml (or --store) at a file; joe creates it on first use',
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

// Callers translate errors of their own store operations the same way.
export {translateSqliteError} from './sqlite-errors.js'
