import {basename} from 'node:path'
import {JoeError} from '../errors.js'
import {iso} from '../instant.js'
import {detectFormat, type ImportFormat} from '../store/detect-format.js'
import {type ImportIssue, ImportRejectedError, MAX_ISSUES} from '../store/import-events.js'
import {eventFileSize, readRecords} from '../store/read-records.js'
import type {NewEvent} from '../store/store-types.js'
import type {RuntimeContext} from './context.js'
import {appendEvents} from './events-log.js'

/** 2: `files[].file` is the path as given (was its base name); `clock` is null without --replay (was absent). */
export const SEND_FORMAT_VERSION = 2
/** Events per transaction when sending (a backfill); a --replay sends each instant's events together. */
const CHUNK = 2_000

export interface SendOptions {
  files: readonly string[]
  /** Default `auto`, as `joe events import`. */
  format?: ImportFormat | 'auto'
  /**
   * Manual clocks: each event is received at its own timestamp, the clock moving through them in
   * time order, so a recorded timeline is rehearsed live (events of one instant are sent together).
   */
  replay: boolean
  onProgress?: (sent: number) => void
}

export interface SentFile {
  /** The path as given. */
  file: string
  format: ImportFormat
  events: number
  accepted: number
  duplicates: number
}

export interface SendResult {
  format_version: typeof SEND_FORMAT_VERSION
  env: string
  files: SentFile[]
  accepted: number
  duplicates: number
  /** With --replay: where the manual clock ended; null without. */
  clock: string | null
}

/**
 * `joe events send`: appends the events of files to an environment's log, as if they had arrived
 * over HTTP (the worker of `joe serve` picks them up). A file with any invalid line is refused
 * whole, before anything of it is sent, with every bad line listed (as `joe events import`).
 * Message ids make a file sent twice a no-op.
 */
export async function sendEvents(ctx: RuntimeContext, options: SendOptions): Promise<SendResult> {
  if (options.replay && ctx.clock !== 'manual') {
    throw new JoeError('JOE7012', `--replay moves the clock, and environment "${ctx.env}" runs on the real clock`, {
      hint: 'rehearse on an environment with `clock: manual`, or send without --replay (events are received now)',
      exitCode: 2,
    })
  }
  const files: SentFile[] = []
  let total = 0
  let clock: number | undefined
  for (const file of options.files) {
    eventFileSize(file)
    const format = options.format === undefined || options.format === 'auto' ? await detectFormat(file) : options.format
    // Validated whole first: a file with a bad line sends nothing. Then streamed (a backfill need
    // not fit in memory), except for a replay, which sorts by time.
    const count = await validate(file, format)
    const sent: SentFile = {file, format, events: count, accepted: 0, duplicates: 0}
    const batches = options.replay ? inTimeOrder(await collect(events(file, format)), CHUNK) : chunked(events(file, format), CHUNK)
    for await (const batch of batches) {
      const result = await appendEvents(ctx, batch, {source: 'cli', replay: options.replay})
      sent.accepted += result.accepted
      sent.duplicates += result.duplicates
      clock = result.receivedAt
      total += batch.length
      options.onProgress?.(total)
    }
    files.push(sent)
  }
  return {
    format_version: SEND_FORMAT_VERSION,
    env: ctx.env,
    files,
    accepted: files.reduce((n, f) => n + f.accepted, 0),
    duplicates: files.reduce((n, f) => n + f.duplicates, 0),
    clock: options.replay && clock !== undefined ? iso(clock) : null,
  }
}

/** How many events a file holds, or JOE3001 listing its bad lines. */
async function validate(file: string, format: ImportFormat): Promise<number> {
  const issues: ImportIssue[] = []
  let issueCount = 0
  let count = 0
  for await (const record of readRecords(file, format)) {
    if (record.parsed.event) count++
    else {
      issueCount++
      if (issues.length < MAX_ISSUES) issues.push({line: record.line, message: record.parsed.error})
    }
  }
  if (issueCount > 0) throw new ImportRejectedError(basename(file), issues, issueCount)
  return count
}

async function* events(file: string, format: ImportFormat): AsyncGenerator<NewEvent> {
  for await (const record of readRecords(file, format)) if (record.parsed.event) yield record.parsed.event
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/** Events in time order (ties keep their order in the file), in chunks that never split an instant. */
function inTimeOrder(events: NewEvent[], size: number): NewEvent[][] {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp)
  const chunks: NewEvent[][] = []
  let chunk: NewEvent[] = []
  for (const event of sorted) {
    const last = chunk[chunk.length - 1]
    if (chunk.length >= size && last !== undefined && last.timestamp !== event.timestamp) {
      chunks.push(chunk)
      chunk = []
    }
    chunk.push(event)
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}

async function* chunked<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = []
  for await (const item of items) {
    chunk.push(item)
    if (chunk.length >= size) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length > 0) yield chunk
}
