import {JoeError} from '../errors.js'

/** SQLite's primary result code of an error: better-sqlite3 gives extended codes like `SQLITE_READONLY_DIRECTORY`. */
function primaryCode(error: unknown): string | undefined {
  const code = (error as {code?: unknown} | null)?.code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined
  const match = /^SQLITE_[A-Z]+/.exec(code)
  return match?.[0]
}

/** True for SQLite errors about the store file (not a mistake in joe's SQL): those are the user's to fix. */
export function isStoreFileError(error: unknown): boolean {
  const code = primaryCode(error)
  return code !== undefined && ['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_BUSY', 'SQLITE_LOCKED', ...WRITE_CODES].includes(code)
}

const WRITE_CODES = ['SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_AUTH', 'SQLITE_IOERR', 'SQLITE_FULL']

/**
 * Turns SQLite errors users can act on into JoeErrors (a store that is not a store, busy, read-only,
 * in a read-only folder, on a full disk); anything else stays a bug. Matches primary codes, so every
 * extended code (SQLITE_READONLY_DIRECTORY, SQLITE_IOERR_WRITE, …) is covered.
 */
export function translateSqliteError(error: unknown, path: string | undefined): unknown {
  const code = primaryCode(error)
  if (code === undefined || !(error instanceof Error)) return error
  const store = path === undefined ? 'the event store' : `the event store ${path}`
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new JoeError('JOE3006', `${path ?? 'the event store'} is not a usable joe event store: ${error.message}`, {
      hint: 'point `store` in joe.config.yaml (or --store) at a new file; joe creates it on first use',
      cause: error,
    })
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new JoeError('JOE3009', `${store} is busy: another process is writing to it`, {
      hint: 'wait for the other import to finish, then try again',
      cause: error,
    })
  }
  if (WRITE_CODES.includes(code)) {
    return new JoeError('JOE3008', `cannot use ${store}: ${error.message}`, {
      hint:
        code === 'SQLITE_FULL'
          ? 'the disk is full; free some space'
          : 'check that the file and its folder are writable: the store keeps -wal and -shm files beside it, even to read',
      cause: error,
    })
  }
  return error
}
