import {createHash, type Hash} from 'node:crypto'
import {createReadStream, type ReadStream, statSync} from 'node:fs'
import {createInterface} from 'node:readline'
import {parse as parseCsv} from 'csv-parse'
import {JoeError} from '../errors.js'
import {describeFileType} from '../project/user-files.js'
import type {ImportFormat} from './detect-format.js'
import {type CsvColumns, csvColumns, fromCsvRecord, fromJoeRecord, fromSegmentRecord, type ParsedRecord} from './parse-event.js'

/** One record of an import file with its 1-based line number (the first line of a multi-line CSV record). */
export interface SourceRecord {
  line: number
  parsed: ParsedRecord
}

/** Follows the raw bytes of a file as it streams: SHA-256 and count, without holding them. */
export class ByteTracker {
  bytes = 0
  private readonly hash: Hash = createHash('sha256')
  private digestHex: string | undefined

  attach(stream: ReadStream): void {
    stream.on('data', (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      this.bytes += buffer.length
      this.hash.update(buffer)
    })
  }

  digest(): string {
    this.digestHex ??= this.hash.digest('hex')
    return this.digestHex
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

/** SHA-256 hex of a file, streamed. */
export async function hashFile(filePath: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Streams the records of an import file; never holds more than one line (or CSV record) at a time. */
export function readRecords(filePath: string, format: ImportFormat, tracker: ByteTracker): AsyncGenerator<SourceRecord> {
  const stream = createReadStream(filePath, {highWaterMark: 1 << 20})
  tracker.attach(stream)
  return format === 'csv' ? readCsv(stream, filePath) : readNdjson(stream, format === 'segment' ? fromSegmentRecord : fromJoeRecord)
}

async function* readNdjson(stream: ReadStream, normalise: (record: unknown) => ParsedRecord): AsyncGenerator<SourceRecord> {
  const lines = createInterface({input: stream, crlfDelay: Number.POSITIVE_INFINITY})
  let line = 0
  try {
    for await (let text of lines) {
      line++
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      if (text.trim() === '') continue
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (error) {
        yield {line, parsed: {error: `not valid JSON: ${(error as Error).message}`}}
        continue
      }
      yield {line, parsed: normalise(value)}
    }
  } finally {
    lines.close()
    stream.destroy()
  }
}

interface CsvOutput {
  record: string[]
  info: {lines: number}
}

async function* readCsv(stream: ReadStream, filePath: string): AsyncGenerator<SourceRecord> {
  const parser = stream.pipe(
    parseCsv({info: true, bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true}),
  )
  // Broken records (bad quoting) are skipped by the parser and reported through this event; it
  // can fire ahead of records still buffered, so callers sort issues by line.
  const broken: SourceRecord[] = []
  let lastBrokenLine = -1
  parser.on('skip', (error: Error & {lines?: number}) => {
    const line = error.lines ?? 0
    // A bad quote can trip the parser twice on one line (e.g. also "quote not closed" at the end).
    if (line === lastBrokenLine) return
    lastBrokenLine = line
    broken.push({line, parsed: {error: `not valid CSV: ${error.message.replace(/ at line \d+/, '')}`}})
  })
  stream.on('error', (error) => parser.destroy(error))
  let columns: CsvColumns | undefined
  try {
    for await (const {record, info} of parser as AsyncIterable<CsvOutput>) {
      while (broken.length > 0) yield broken.shift()!
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
      yield {line, parsed: fromCsvRecord(record, columns)}
    }
    while (broken.length > 0) yield broken.shift()!
  } finally {
    parser.destroy()
    stream.destroy()
  }
}
