import {isAscii} from 'node:buffer'
import {createHash} from 'node:crypto'
import {createReadStream, type ReadStream, statSync} from 'node:fs'
import {StringDecoder} from 'node:string_decoder'
import {parse as parseCsv} from 'csv-parse'
import {JoeError} from '../errors.js'
import {describeFileType} from '../project/user-files.js'
import type {ImportFormat} from './detect-format.js'
import {MAX_REPORTED_RENAMES, type NameNormalization, nameNormalizer} from './event-names.js'
import {type CsvColumns, csvColumns, fromCsvRecord, fromJoeRecord, fromSegmentRecord, type ParsedRecord} from './parse-event.js'
import type {NewEvent} from './store-types.js'
import {serializeProperties} from './write-events.js'

/** One line that is not a valid event. */
export interface ImportIssue {
  /** 1-based line in the import file. */
  line: number
  message: string
}

/**
 * The records of a stretch of an import file. Events travel as the values of their table row, five
 * per event: customer_id, type, ts, properties (JSON text), message_id (or null); that is what the
 * writer binds, and it crosses a thread boundary as one flat array.
 */
export interface RecordBatch {
  /** Records read: non-blank NDJSON lines, CSV data rows (the valid and the invalid). */
  records: number
  rows: EventRowValues
  /** Invalid records, in line order. */
  issues: ImportIssue[]
  /** Bytes of the file read so far. */
  bytesRead: number
  /** Event names first changed by name normalisation in this batch, as [sent, stored]. */
  renamed: [string, string][]
}

export type EventRowValues = (string | number | null)[]

/** CSV records per batch (NDJSON batches follow the read buffer: about 1 MiB of lines). */
const CSV_BATCH = 2000
const READ_BUFFER = 1 << 20

export interface ReadOptions {
  /** Default `none`. */
  normalizeNames?: NameNormalization
}

/** Turns events into the rows of batches, renaming their types as asked and noting what it renamed. */
class RowMaker {
  private readonly rename: ((name: string) => string) | undefined
  private readonly reported = new Set<string>()

  constructor(options: ReadOptions) {
    this.rename = nameNormalizer(options.normalizeNames ?? 'none')
  }

  push(batch: RecordBatch, event: NewEvent): void {
    let type = event.type
    if (this.rename) {
      type = this.rename(type)
      if (type !== event.type && this.reported.size < MAX_REPORTED_RENAMES && !this.reported.has(event.type)) {
        this.reported.add(event.type)
        batch.renamed.push([event.type, type])
      }
    }
    batch.rows.push(event.customer_id, type, event.timestamp, serializeProperties(event.properties), event.message_id ?? null)
  }
}

/**
 * The size of an events file (import, send), or JOE3004: it is missing, a folder, or not a regular
 * file. A FIFO would block until written to (and cannot be read twice: checked, then streamed); a
 * device such as /dev/zero never ends.
 */
export function eventFileSize(filePath: string): number {
  try {
    const stats = statSync(filePath)
    if (stats.isDirectory()) throw new JoeError('JOE3004', `${filePath} is a folder, not an events file`)
    if (!stats.isFile()) {
      throw new JoeError('JOE3004', `${filePath} is ${describeFileType(stats)}, not a regular file`, {
        hint: 'save the events to a file first, then import that file',
      })
    }
    return stats.size
  } catch (error) {
    if (error instanceof JoeError) throw error
    const code = (error as {code?: string}).code
    const why = code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new JoeError('JOE3004', `cannot read ${filePath}: ${why}`, {cause: error})
  }
}

const emptyBatch = (): RecordBatch => ({records: 0, rows: [], issues: [], bytesRead: 0, renamed: []})

/** SHA-256 hex of a file, streamed. */
export async function hashFile(filePath: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Where the raw bytes of an import file go as they are read, in file order. */
export interface ByteSink {
  /** Bytes received so far. */
  readonly read: number
  add(chunk: Buffer): void
}

/** Follows the raw bytes of a file: SHA-256 and count, without holding them. */
export class ByteCounter implements ByteSink {
  read = 0
  private readonly hash = createHash('sha256')

  add(chunk: Buffer): void {
    this.read += chunk.length
    this.hash.update(chunk)
  }

  /** SHA-256 hex of everything added. */
  digest(): string {
    return this.hash.digest('hex')
  }
}

/** One record of an import file with its 1-based line number (the first line of a multi-line CSV record). */
export interface SourceRecord {
  line: number
  parsed: ParsedRecord
}

/** Gets each record of a file, in file order. */
type TakeRecord = (line: number, parsed: ParsedRecord) => void

/**
 * Reads the records of a file, giving each to `take`; yields after each stretch (a read buffer of
 * NDJSON, CSV_BATCH CSV records), so callers hold one stretch at a time. Every byte read goes to
 * `bytes` (which hashes them, or passes them on) before its records are taken.
 */
function readStretches(filePath: string, format: ImportFormat, bytes: ByteSink, take: TakeRecord): AsyncGenerator<void> {
  const stream = createReadStream(filePath, {highWaterMark: READ_BUFFER})
  return format === 'csv' ? csvStretches(stream, filePath, bytes, take) : ndjsonStretches(stream, format, bytes, take)
}

/** Streams the records of an import file in batches; holds one read buffer (or CSV batch) at a time. */
export async function* readRecordBatches(
  filePath: string,
  format: ImportFormat,
  options: ReadOptions,
  bytes: ByteSink,
): AsyncGenerator<RecordBatch> {
  const rows = new RowMaker(options)
  let batch = emptyBatch()
  const take: TakeRecord = (line, parsed) => {
    batch.records++
    if (parsed.error !== undefined) batch.issues.push({line, message: parsed.error})
    else rows.push(batch, parsed.event)
  }
  for await (const _ of readStretches(filePath, format, bytes, take)) {
    yield {...batch, bytesRead: bytes.read}
    batch = emptyBatch()
  }
}

/** The records of an import file one by one, as they are read (for callers that want the events themselves). */
export async function* readRecords(
  filePath: string,
  format: ImportFormat,
  bytes: ByteSink = new ByteCounter(),
): AsyncGenerator<SourceRecord> {
  let records: SourceRecord[] = []
  for await (const _ of readStretches(filePath, format, bytes, (line, parsed) => records.push({line, parsed}))) {
    const stretch = records
    records = []
    yield* stretch
  }
}

/**
 * Splits text into lines exactly as node:readline does with `crlfDelay: Infinity` (which joe used
 * before): at \n, \r\n and a lone \r, also when \r\n straddles two chunks; bytes are decoded as
 * UTF-8 with replacement characters, and a partial character at the very end is dropped.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8')
  private rest = ''
  private sawReturn = false
  /** While every chunk has been ASCII, decoding is a copy; after the first other byte, the decoder holds state. */
  private ascii = true

  /** Calls `onLine` for every line the chunk completes. */
  write(chunk: Buffer, onLine: (line: string) => void): void {
    this.ascii &&= isAscii(chunk)
    let text = this.ascii ? chunk.toString('latin1') : this.decoder.write(chunk)
    if (this.sawReturn) {
      if (text.charCodeAt(0) === 10) text = text.slice(1)
      this.sawReturn = false
    }
    if (text.indexOf('\r') === -1) {
      let newline = text.indexOf('\n')
      if (newline === -1) {
        this.rest += text
        return
      }
      let start = 0
      const head = this.rest
      if (head !== '') {
        onLine(head + text.slice(0, newline))
        this.rest = ''
        start = newline + 1
        newline = text.indexOf('\n', start)
      }
      while (newline !== -1) {
        onLine(text.slice(start, newline))
        start = newline + 1
        newline = text.indexOf('\n', start)
      }
      this.rest = text.slice(start)
      return
    }
    const all = this.rest + text
    const ending = /\r?\n|\r(?!\n)/g
    let start = 0
    for (let match = ending.exec(all); match !== null; match = ending.exec(all)) {
      onLine(all.slice(start, match.index))
      start = ending.lastIndex
    }
    this.sawReturn = all.endsWith('\r')
    this.rest = all.slice(start)
  }

  /** The last line, when the text does not end with a line break. */
  end(onLine: (line: string) => void): void {
    if (this.rest.length > 0) onLine(this.rest)
    this.rest = ''
  }
}

async function* ndjsonStretches(stream: ReadStream, format: ImportFormat, bytes: ByteSink, take: TakeRecord): AsyncGenerator<void> {
  const normalise = format === 'segment' ? fromSegmentRecord : fromJoeRecord
  const splitter = new LineSplitter()
  let line = 0
  const onLine = (raw: string) => {
    line++
    const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw
    if (text.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      take(line, {error: `not valid JSON: ${(error as Error).message}`})
      return
    }
    take(line, normalise(value))
  }
  try {
    for await (const chunk of stream) {
      bytes.add(chunk as Buffer)
      splitter.write(chunk as Buffer, onLine)
      yield
    }
    splitter.end(onLine)
    yield
  } finally {
    stream.destroy()
  }
}

interface CsvOutput {
  record: string[]
  info: {lines: number}
}

async function* csvStretches(stream: ReadStream, filePath: string, bytes: ByteSink, take: TakeRecord): AsyncGenerator<void> {
  stream.on('data', (chunk) => bytes.add(chunk as Buffer))
  const parser = stream.pipe(
    parseCsv({info: true, bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true}),
  )
  // Broken records (bad quoting) are skipped by the parser and reported through this event; it
  // can fire ahead of records still buffered, so issues are sorted by line at the end.
  let lastBrokenLine = -1
  parser.on('skip', (error: Error & {lines?: number}) => {
    const line = error.lines ?? 0
    // A bad quote can trip the parser twice on one line (e.g. also "quote not closed" at the end).
    if (line === lastBrokenLine) return
    lastBrokenLine = line
    take(line, {error: `not valid CSV: ${error.message.replace(/ at line \d+/, '')}`})
  })
  stream.on('error', (error) => parser.destroy(error))
  let columns: CsvColumns | undefined
  let taken = 0
  try {
    for await (const {record, info} of parser as AsyncIterable<CsvOutput>) {
      // info.lines is where the record ends; quoted newlines inside it move its start up.
      let line = info.lines
      for (const field of record) if (field.includes('\n')) line -= field.split('\n').length - 1
      if (columns === undefined) {
        const mapped = csvColumns(record)
        if ('missing' in mapped) {
          throw new JoeError('JOE3010', `${filePath}: the CSV header lacks the column(s) ${mapped.missing.join(', ')}`, {
            where: {file: filePath, line, column: 1},
            hint: 'the first row must name the columns: customer_id,type,timestamp[,properties][,message_id]',
          })
        }
        columns = mapped
        continue
      }
      if (record.length === 1 && record[0]?.trim() === '') continue
      take(line, fromCsvRecord(record, columns))
      if (++taken % CSV_BATCH === 0) yield
    }
    yield
  } finally {
    parser.destroy()
    stream.destroy()
  }
}
