import {availableParallelism} from 'node:os'
import {basename} from 'node:path'
import {type Diagnostic, JoeError} from '../errors.js'
import {detectFormat, type ImportFormat} from './detect-format.js'
import type {NameNormalization} from './event-names.js'
import {translateSqliteError} from './open-store.js'
import {ByteCounter, eventFileSize, hashFile, type ImportIssue, readRecordBatches} from './read-records.js'
import {readRecordBatchesInWorker} from './record-thread.js'
import type {EventStore} from './store-types.js'
import {EventWriter} from './write-events.js'

export type {ImportFormat} from './detect-format.js'
export type {ImportIssue} from './read-records.js'

export interface ImportProgress {
  /** Records read so far (non-blank NDJSON lines, CSV data rows). */
  lines: number
  imported: number
  bytesRead: number
  totalBytes: number
}

export interface ImportOptions {
  /** Default `auto`: `.csv` by extension, otherwise from the first lines. */
  format?: ImportFormat | 'auto'
  /** Import the valid lines and report the others, instead of refusing the whole file. */
  skipInvalid?: boolean
  /** Epoch ms recorded as the import time; passed in so core code stays clock-free. */
  now: number
  /** Called every `progressEvery` records and once at the end. */
  onProgress?: (progress: ImportProgress) => void
  /** Default 50,000. */
  progressEvery?: number
  /** Name recorded in the `imports` table; default the file's base name. */
  sourceName?: string
  /**
   * Read and parse the file on a worker thread while this one writes; default: for files of
   * WORKER_MIN_BYTES or more when there is more than one core.
   */
  readInWorker?: boolean
  /** How event names are stored; default `none` (as sent). */
  normalizeNames?: NameNormalization
}

/** Below this size a worker thread takes longer to start than it saves. */
const WORKER_MIN_BYTES = 16 * 1024 * 1024

export interface ImportResult {
  file: string
  format: ImportFormat
  /** Records read: imported + duplicates + skippedCount. 0 when alreadyImported. */
  lines: number
  imported: number
  /** Events whose message_id was already in the store (or earlier in the file). */
  duplicates: number
  /** Invalid lines left out (with skipInvalid), in line order; at most MAX_ISSUES of them. */
  skipped: ImportIssue[]
  /** How many invalid lines there were in all. */
  skippedCount: number
  /** True when a file with the same bytes was imported before; nothing was written. */
  alreadyImported: boolean
  /** SHA-256 hex of the file's bytes. */
  contentHash: string
  /** The `imports` row written; absent when alreadyImported. */
  importId?: number
  /**
   * Event names that name normalisation changed, as sent -> as stored, in the order first seen; at
   * most MAX_REPORTED_RENAMES of them. Empty without normalisation.
   */
  renamed: Record<string, string>
}

/** Issues kept in memory and on errors; the count covers the rest. */
export const MAX_ISSUES = 1000
const SHOWN_IN_MESSAGE = 5

/**
 * JOE3001: the import was refused because of invalid lines; nothing was written. `issues`
 * (in line order, at most MAX_ISSUES) lets the CLI print every one as `file:line: message`.
 */
export class ImportRejectedError extends JoeError {
  readonly file: string
  readonly issues: ImportIssue[]
  readonly issueCount: number

  constructor(file: string, issues: ImportIssue[], issueCount: number) {
    const shown = issues
      .slice(0, SHOWN_IN_MESSAGE)
      .map((issue) => `  ${file}:${issue.line}: ${issue.message}`)
      .join('\n')
    const more = issueCount > SHOWN_IN_MESSAGE ? `\n  …and ${issueCount - SHOWN_IN_MESSAGE} more` : ''
    const first = issues[0]
    super('JOE3001', `${file}: ${issueCount} invalid ${issueCount === 1 ? 'line' : 'lines'}; nothing was imported\n${shown}${more}`, {
      hint: 'fix those lines, or import with --skip-invalid to import the valid lines and report the rest',
      ...(first === undefined ? {} : {where: {file, line: first.line, column: 1}}),
    })
    this.file = file
    this.issues = issues
    this.issueCount = issueCount
  }

  /** One JOE3002 diagnostic per invalid line, for the same renderers `joe validate` uses. */
  diagnostics(): Diagnostic[] {
    return issuesToDiagnostics(this.file, this.issues)
  }
}

function issuesToDiagnostics(file: string, issues: ImportIssue[]): Diagnostic[] {
  return issues.map((issue) => ({
    code: 'JOE3002',
    severity: 'error',
    message: issue.message,
    location: {file, line: issue.line, column: 1},
  }))
}

/**
 * Streams an NDJSON (joe or Segment) or CSV file into the store in one transaction: either every
 * valid event lands or none does, also when the process dies midway. Re-importing the same bytes
 * is a no-op; events whose message_id is already stored are counted as duplicates.
 */
export async function importEvents(store: EventStore, filePath: string, options: ImportOptions): Promise<ImportResult> {
  if (store.readonly) throw new JoeError('JOE3011', `the event store ${store.path} is open read-only; cannot import into it`)
  try {
    return await importFile(store, filePath, options)
  } catch (error) {
    if (store.db.open && store.db.inTransaction) store.db.exec('ROLLBACK')
    throw translateError(error, filePath, store.path)
  }
}

async function importFile(store: EventStore, filePath: string, options: ImportOptions): Promise<ImportResult> {
  const totalBytes = eventFileSize(filePath)
  const format = options.format === undefined || options.format === 'auto' ? await detectFormat(filePath) : options.format
  const {db} = store

  // Cheap idempotency check first: only a file as long as an earlier import can be that import.
  const sameSize = db.prepare('SELECT 1 FROM imports WHERE byte_size = ? AND content_hash IS NOT NULL LIMIT 1').get(totalBytes)
  if (sameSize !== undefined) {
    const hash = await hashFile(filePath)
    if (isKnownHash(store, hash)) return alreadyImported(filePath, format, hash)
  }

  const issues: ImportIssue[] = []
  let issueCount = 0
  let lines = 0
  let bytesRead = 0
  const every = options.progressEvery ?? 50_000
  const skipInvalid = options.skipInvalid ?? false
  const progress = (writer: EventWriter) => options.onProgress?.({lines, imported: writer.inserted, bytesRead, totalBytes})

  begin(store)
  const writer = new EventWriter(store, {
    sourceName: options.sourceName ?? basename(filePath),
    format,
    byteSize: totalBytes,
    importedAt: options.now,
  })
  const inWorker = options.readInWorker ?? (totalBytes >= WORKER_MIN_BYTES && availableParallelism() > 1)
  const read = {normalizeNames: options.normalizeNames ?? 'none'}
  const bytes = new ByteCounter()
  const batches = inWorker ? readRecordBatchesInWorker(filePath, format, read, bytes) : readRecordBatches(filePath, format, read, bytes)
  const renamed: Record<string, string> = {}
  // for await stops the reading (and its worker) when writing fails midway.
  for await (const batch of batches) {
    const before = lines
    lines += batch.records
    bytesRead = batch.bytesRead
    for (const [sent, stored] of batch.renamed) renamed[sent] = stored
    for (const issue of batch.issues) {
      issueCount++
      if (issues.length < MAX_ISSUES) issues.push(issue)
    }
    // Once a line is bad and the import will be refused, keep reading only to report every issue.
    if (skipInvalid || issueCount === 0) writer.addRows(batch.rows)
    if (Math.floor(lines / every) > Math.floor(before / every)) progress(writer)
  }
  const contentHash = bytes.digest()
  writer.flush()
  issues.sort((a, b) => a.line - b.line)
  if (issueCount > 0 && !skipInvalid) throw new ImportRejectedError(filePath, issues, issueCount)
  if (isKnownHash(store, contentHash)) {
    db.exec('ROLLBACK')
    return alreadyImported(filePath, format, contentHash)
  }
  writer.finish(contentHash, lines)
  db.exec('COMMIT')
  progress(writer)
  return {
    file: filePath,
    format,
    lines,
    imported: writer.inserted,
    duplicates: writer.duplicates,
    skipped: issues,
    skippedCount: issueCount,
    alreadyImported: false,
    contentHash,
    importId: writer.importId,
    renamed,
  }
}

/** File system errors while reading become JOE3004; SQLite ones what translateSqliteError makes of them. */
function translateError(error: unknown, filePath: string, storePath: string): unknown {
  if (error instanceof JoeError) return error
  const code = (error as {code?: unknown}).code
  if (typeof code === 'string' && ['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'EIO', 'ENOTDIR'].includes(code)) {
    return new JoeError('JOE3004', `cannot read ${filePath}: ${(error as Error).message}`, {cause: error})
  }
  return translateSqliteError(error, storePath)
}

/** Takes the write lock up front so a concurrent writer fails fast (JOE3009) instead of midway. */
export function begin(store: EventStore): void {
  try {
    store.db.exec('BEGIN IMMEDIATE')
  } catch (error) {
    throw translateSqliteError(error, store.path)
  }
}

function isKnownHash(store: EventStore, hash: string): boolean {
  return store.db.prepare('SELECT 1 FROM imports WHERE content_hash = ?').get(hash) !== undefined
}

function alreadyImported(file: string, format: ImportFormat, contentHash: string): ImportResult {
  return {file, format, lines: 0, imported: 0, duplicates: 0, skipped: [], skippedCount: 0, alreadyImported: true, contentHash, renamed: {}}
}
