import {rmSync} from 'node:fs'
import {iso, isoOrNull} from '../instant.js'
import {begin} from '../store/import-events.js'
import {openEventStore} from '../store/open-store.js'
import type {NewEvent} from '../store/store-types.js'
import {EventWriter} from '../store/write-events.js'
import type {RuntimeContext} from './context.js'

export const EXPORT_FORMAT_VERSION = 1
const PAGE = 5_000

/** One received event, as `joe events export` writes it (joe's NDJSON, plus when and how it arrived). */
export interface ReceivedEvent {
  customer_id: string
  type: string
  /** The sender's time. */
  timestamp: string
  /** When the environment received it: the instant it was processed at (spec section 8). */
  received_at: string
  properties: Record<string, unknown>
  message_id?: string
  source: string
}

export interface ExportWindow {
  /** Epoch ms, inclusive, on received_at. */
  from?: number
  until?: number
}

/** The environment's received events in the order they were received (sequence), page by page. */
export async function* receivedEvents(ctx: RuntimeContext, window: ExportWindow = {}): AsyncGenerator<ReceivedEvent & {at: number}> {
  let after = 0
  for (;;) {
    const rows = await ctx.conn.query<{
      seq: number
      customer_id: string
      type: string
      ts: number
      received_at: number
      properties: string
      message_id: string | null
      source: string
    }>(
      `SELECT seq, customer_id, type, ts, received_at, properties, message_id, source FROM joe_events
       WHERE env = $1 AND seq > $2 AND received_at >= $3 AND received_at <= $4 ORDER BY seq LIMIT $5`,
      [ctx.env, after, window.from ?? Number.MIN_SAFE_INTEGER, window.until ?? Number.MAX_SAFE_INTEGER, PAGE],
    )
    for (const row of rows) {
      yield {
        customer_id: row.customer_id,
        type: row.type,
        timestamp: iso(row.ts),
        received_at: iso(row.received_at),
        properties: JSON.parse(row.properties) as Record<string, unknown>,
        ...(row.message_id === null ? {} : {message_id: row.message_id}),
        source: row.source,
        at: Number(row.received_at),
      }
    }
    if (rows.length < PAGE) return
    after = Number((rows[rows.length - 1] as {seq: number}).seq)
  }
}

/** `joe events export`: writes the received events as NDJSON lines (which `joe events import` reads back). */
export async function exportEvents(
  ctx: RuntimeContext,
  write: (line: string) => void | Promise<void>,
  window: ExportWindow = {},
  out: string | null = null,
): Promise<ExportResult> {
  let events = 0
  for await (const {at: _at, ...event} of receivedEvents(ctx, window)) {
    await write(`${JSON.stringify(event)}\n`)
    events++
  }
  return {format_version: EXPORT_FORMAT_VERSION, env: ctx.env, events, out, from: isoOrNull(window.from), until: isoOrNull(window.until)}
}

/** `joe events export --json` (schemas/output/events-export.schema.json). */
export interface ExportResult {
  format_version: typeof EXPORT_FORMAT_VERSION
  env: string
  /** Events written. */
  events: number
  /** The file written (--out, as given); null for standard output (never under --json, which needs --out). */
  out: string | null
  /** The window asked for on received_at; null when open. */
  from: string | null
  until: string | null
}

/**
 * Copies the environment's received events into a new local event store, each at the instant it
 * was received, so `joe simulate` replays the environment's history exactly as it was processed.
 */
export async function copyToEventStore(ctx: RuntimeContext, path: string, now: number): Promise<number> {
  rmSync(path, {force: true})
  const store = openEventStore(path)
  try {
    begin(store)
    const writer = new EventWriter(store, {sourceName: `environment ${ctx.env}`, format: 'environment', byteSize: 0, importedAt: now})
    for await (const event of receivedEvents(ctx)) {
      const copy: NewEvent = {customer_id: event.customer_id, type: event.type, timestamp: event.at, properties: event.properties}
      writer.add(copy)
    }
    writer.finish(`environment:${ctx.env}:${now}`, writer.inserted)
    store.db.exec('COMMIT')
    return writer.inserted
  } catch (error) {
    if (store.db.open && store.db.inTransaction) store.db.exec('ROLLBACK')
    throw error
  } finally {
    store.close()
  }
}
