import type {Statement} from 'better-sqlite3'
import type {EventStore, JsonObject, NewEvent} from './store-types.js'

const BATCH = 100
const COLUMNS = 6

/** The `events.properties` text of an event. */
export function serializeProperties(properties: JsonObject): string {
  return JSON.stringify(properties)
}

export interface ImportRowInfo {
  sourceName: string
  format: string
  byteSize: number
  importedAt: number
}

/**
 * Writes events of one import in multi-row INSERT OR IGNORE batches (the unique message_id index
 * drops duplicates). Must run inside a transaction the caller opened; `finish` completes the
 * `imports` row, which starts without a content hash.
 */
export class EventWriter {
  readonly importId: number
  inserted = 0
  duplicates = 0
  private minTs: number | undefined
  private maxTs: number | undefined
  private readonly params: (string | number | null)[] = []
  private readonly store: EventStore
  private readonly batchInsert: Statement

  constructor(store: EventStore, info: ImportRowInfo) {
    this.store = store
    const row = store.db
      .prepare('INSERT INTO imports (source_name, format, byte_size, imported_at) VALUES (?, ?, ?, ?)')
      .run(info.sourceName, info.format, info.byteSize, info.importedAt)
    this.importId = Number(row.lastInsertRowid)
    this.batchInsert = this.insertStatement(BATCH)
  }

  add(event: NewEvent): void {
    this.addRow(event.customer_id, event.type, event.timestamp, serializeProperties(event.properties), event.message_id ?? null)
  }

  /** Adds events given as the flat row values of read-records.ts (customer_id, type, ts, properties, message_id). */
  addRows(rows: readonly (string | number | null)[]): void {
    for (let i = 0; i + 4 < rows.length; i += 5) {
      this.addRow(rows[i] as string, rows[i + 1] as string, rows[i + 2] as number, rows[i + 3] as string, rows[i + 4] as string | null)
    }
  }

  private addRow(customerId: string, type: string, timestamp: number, properties: string, messageId: string | null): void {
    this.params.push(customerId, type, timestamp, properties, messageId, this.importId)
    // Bounds cover every event offered, duplicates too; they only feed the default simulation window.
    if (this.minTs === undefined || timestamp < this.minTs) this.minTs = timestamp
    if (this.maxTs === undefined || timestamp > this.maxTs) this.maxTs = timestamp
    if (this.params.length === BATCH * COLUMNS) this.flush()
  }

  /** Writes buffered events; `add` calls it per full batch, callers once at the end. */
  flush(): void {
    const count = this.params.length / COLUMNS
    if (count === 0) return
    const statement = count === BATCH ? this.batchInsert : this.insertStatement(count)
    const changes = statement.run(this.params).changes
    this.inserted += changes
    this.duplicates += count - changes
    this.params.length = 0
  }

  finish(contentHash: string, lineCount: number): void {
    this.flush()
    this.store.db
      .prepare('UPDATE imports SET content_hash = ?, line_count = ?, event_count = ?, min_ts = ?, max_ts = ? WHERE id = ?')
      .run(contentHash, lineCount, this.inserted, this.minTs ?? null, this.maxTs ?? null, this.importId)
  }

  private insertStatement(rows: number): Statement {
    const values = Array.from({length: rows}, () => '(?, ?, ?, ?, ?, ?)').join(', ')
    return this.store.db.prepare(`INSERT OR IGNORE INTO events (customer_id, type, ts, properties, message_id, import_id) VALUES ${values}`)
  }
}
