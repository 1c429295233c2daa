import type {Database} from 'better-sqlite3'

/** JSON object as stored in `events.properties` and merged into profiles. */
export type JsonObject = Record<string, unknown>

/** A customer's attributes at one instant: identify traits merged in order; `{}` when none. */
export type Profile = JsonObject

/** An event ready to be written: validated and normalised from any import format. */
export interface NewEvent {
  customer_id: string
  type: string
  /** Epoch milliseconds (UTC). */
  timestamp: number
  properties: JsonObject
  /** Present when the source gave one; used to drop duplicates across imports. */
  message_id?: string
}

/** One event as read back from the store. */
export interface StoredEvent {
  type: string
  /** Epoch milliseconds (UTC). */
  timestamp: number
  properties: JsonObject
  /** Store-wide import order; breaks timestamp ties. */
  seq: number
}

/** One row of the `imports` table. */
export interface ImportRecord {
  id: number
  sourceName: string
  /** SHA-256 hex of the imported file's bytes (or of the generator's options). */
  contentHash: string
  format: string
  lineCount: number
  eventCount: number
  /** Epoch milliseconds, as passed in by the caller. */
  importedAt: number
}

export interface StoreStats {
  events: number
  customers: number
  /** Event type -> count, keys in ascending order. */
  types: Record<string, number>
  /** Epoch ms of the earliest event; absent when the store is empty. */
  from?: number
  /** Epoch ms of the latest event; absent when the store is empty. */
  until?: number
  imports: number
}

/** An open event store. Close it when done; a closed store throws on use. */
export interface EventStore {
  /** The better-sqlite3 connection, for the store's own modules. */
  readonly db: Database
  /** The path given to `openEventStore`. */
  readonly path: string
  readonly readonly: boolean
  /** The schema version the store is at (the newest migration applied). */
  readonly schemaVersion: number
  stats(): StoreStats
  close(): void
}
