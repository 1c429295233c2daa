// `joe events import | generate | show | stats`: the local event store's operations as the commands
// call them, each returning its `--json` result (docs/cli-output.md; schemas/output/events-*.schema.json).
import {JoeError} from '../errors.js'
import {iso, isoOrNull} from '../instant.js'
import type {ImportFormat} from '../store/detect-format.js'
import type {NameNormalization} from '../store/event-names.js'
import {type GenerateOptions, writeGeneratedEvents} from '../store/generate-events.js'
import {type ImportProgress, type ImportResult, importEvents} from '../store/import-events.js'
import {openEventStore} from '../store/open-store.js'
import {customerTimeline} from '../store/queries.js'
import type {EventStore, JsonObject} from '../store/store-types.js'

/** Output format versions of the events commands; bumped on a breaking change of their `--json`. */
export const EVENTS_FORMAT_VERSION = {import: 1, generate: 1, show: 1, stats: 1} as const

/** Where a long operation reports how far it is (a progress bar on a terminal, nothing otherwise). */
export interface ProgressSink {
  update(done: number, total: number): void
  stop(): void
}

export interface ImportedFile {
  /** The path as given. */
  file: string
  format: ImportFormat
  /** Records read: imported + duplicates + skipped_count. 0 when already_imported. */
  lines: number
  imported: number
  /** Events whose message id was already stored (or earlier in the file). */
  duplicates: number
  /** Invalid lines left out (with --skip-invalid), in line order; at most 1,000 of them. */
  skipped: {line: number; message: string}[]
  skipped_count: number
  /** True when a file with the same bytes was imported before; nothing was written. */
  already_imported: boolean
  /** SHA-256 hex of the file's bytes. */
  content_hash: string
  /** The import's id in the store; null when already_imported. */
  import_id: number | null
  /** Event names that normalisation changed, as sent -> as stored (at most 20). */
  renamed: Record<string, string>
}

export interface EventsImportResult {
  format_version: typeof EVENTS_FORMAT_VERSION.import
  store: string
  imports: ImportedFile[]
}

export interface ImportFilesOptions {
  store: string
  files: readonly string[]
  format: ImportFormat | 'auto'
  skipInvalid: boolean
  normalizeNames: NameNormalization
  /** Epoch ms recorded as the import time. */
  now: number
  /** A progress sink per file. */
  progress?: (file: string) => ProgressSink
  /** Called as each file is done, so a later file refused still leaves the earlier ones reported. */
  onImported?: (imported: ImportedFile) => void
}

/** Imports `files` in order, each in its own transaction (a refused file stops the run; earlier ones stay). */
export async function importEventFiles(options: ImportFilesOptions): Promise<EventsImportResult> {
  return withStore(options.store, false, async (store) => {
    const imports: ImportedFile[] = []
    for (const file of options.files) {
      const progress = options.progress?.(file)
      let r: ImportResult
      try {
        r = await importEvents(store, file, {
          format: options.format,
          skipInvalid: options.skipInvalid,
          normalizeNames: options.normalizeNames,
          now: options.now,
          ...(progress ? {onProgress: (p: ImportProgress) => progress.update(p.bytesRead, p.totalBytes)} : {}),
        })
      } finally {
        // Before the file is reported: a bar still drawn would overwrite the report's line.
        progress?.stop()
      }
      const imported: ImportedFile = {
        file: r.file,
        format: r.format,
        lines: r.lines,
        imported: r.imported,
        duplicates: r.duplicates,
        skipped: r.skipped,
        skipped_count: r.skippedCount,
        already_imported: r.alreadyImported,
        content_hash: r.contentHash,
        import_id: r.importId ?? null,
        renamed: r.renamed,
      }
      imports.push(imported)
      options.onImported?.(imported)
    }
    return {format_version: EVENTS_FORMAT_VERSION.import, store: options.store, imports}
  })
}

export interface EventsGenerateResult {
  format_version: typeof EVENTS_FORMAT_VERSION.generate
  store: string
  scenario: string
  seed: number
  customers: number
  days: number
  /** The first day, ISO 8601 UTC. */
  start: string
  /** Events written. */
  events: number
  duplicates: number
  /** True when a run with exactly these options was written before; nothing was written. */
  already_generated: boolean
  /** The import's id in the store; null when already_generated. */
  import_id: number | null
}

export interface GenerateIntoOptions extends GenerateOptions {
  store: string
  scenario: NonNullable<GenerateOptions['scenario']>
  now: number
  progress?: ProgressSink
}

/** Writes synthetic timelines into the store at `options.store` (created when missing). */
export async function generateEventsInto(options: GenerateIntoOptions): Promise<EventsGenerateResult> {
  const {progress} = options
  return withStore(options.store, false, async (store) => {
    try {
      const r = writeGeneratedEvents(store, {
        customers: options.customers,
        days: options.days,
        seed: options.seed,
        scenario: options.scenario,
        start: options.start,
        now: options.now,
        ...(progress ? {onProgress: (p: {customers: number}) => progress.update(p.customers, options.customers)} : {}),
      })
      return {
        format_version: EVENTS_FORMAT_VERSION.generate,
        store: options.store,
        scenario: options.scenario,
        seed: options.seed,
        customers: r.customers,
        days: options.days,
        start: iso(options.start),
        events: r.events,
        duplicates: r.duplicates,
        already_generated: r.alreadyImported,
        import_id: r.importId ?? null,
      }
    } finally {
      progress?.stop()
    }
  })
}

export interface EventsShowResult {
  format_version: typeof EVENTS_FORMAT_VERSION.show
  store: string
  customer_id: string
  /** The time the timeline and profile are as of (--as-of); null for all events. */
  as_of: string | null
  /** Identify traits merged in order up to as_of. */
  profile: JsonObject
  /** Ordered by (timestamp, seq). */
  events: {seq: number; type: string; timestamp: string; properties: JsonObject}[]
}

/** A customer's timeline and profile as of a time; JOE4004 when the customer has no events then. */
export async function showCustomer(options: {store: string; customer: string; asOf?: number}): Promise<EventsShowResult> {
  const {asOf} = options
  return withStore(options.store, true, async (store) => {
    const timeline = customerTimeline(store, options.customer, asOf === undefined ? {} : {asOf})
    if (timeline.events.length === 0) {
      throw new JoeError(
        'JOE4004',
        `customer "${options.customer}" has no events${asOf === undefined ? '' : ' up to that time'} in ${options.store}`,
        {hint: 'customer ids are case-sensitive; `joe events stats` shows what the store holds'},
      )
    }
    return {
      format_version: EVENTS_FORMAT_VERSION.show,
      store: options.store,
      customer_id: timeline.customerId,
      as_of: isoOrNull(asOf),
      profile: timeline.profile,
      events: timeline.events.map((e) => ({seq: e.seq, type: e.type, timestamp: iso(e.timestamp), properties: e.properties})),
    }
  })
}

export interface EventsStatsResult {
  format_version: typeof EVENTS_FORMAT_VERSION.stats
  store: string
  events: number
  customers: number
  /** Event type -> count, keys in ascending order. */
  types: Record<string, number>
  /** The earliest and latest event; null when the store is empty. */
  from: string | null
  until: string | null
  /** Imports and generations recorded. */
  imports: number
}

/** Totals, time range and event types of the store at `store`. */
export async function eventStoreStats(options: {store: string}): Promise<EventsStatsResult> {
  return withStore(options.store, true, async (store) => {
    const s = store.stats()
    return {
      format_version: EVENTS_FORMAT_VERSION.stats,
      store: options.store,
      events: s.events,
      customers: s.customers,
      types: s.types,
      from: isoOrNull(s.from),
      until: isoOrNull(s.until),
      imports: s.imports,
    }
  })
}

async function withStore<T>(path: string, readonly: boolean, fn: (store: EventStore) => Promise<T>): Promise<T> {
  const store = openEventStore(path, readonly ? {readonly: true} : {})
  try {
    return await fn(store)
  } finally {
    store.close()
  }
}
