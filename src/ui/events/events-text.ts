import type {EventsGenerateResult, EventsShowResult, EventsStatsResult, ImportedFile} from '../../core/events/local-events.js'
import {MAX_REPORTED_RENAMES} from '../../core/store/event-names.js'
import {safeText} from '../safe-text.js'

const n = (value: number) => value.toLocaleString('en-US')
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`

/** Invalid lines listed under a file; the rest are counted (all are in --json). */
const SKIPPED_SHOWN = 20

/** `joe events import`, one file: a line, then the names normalised and the lines skipped. */
export function renderImportedFile(r: ImportedFile): string {
  const shown = safeText(r.file)
  if (r.already_imported) return `${shown}: already imported (same content); nothing to do`
  const lines = [
    `${shown}: imported ${n(r.imported)} events (${r.format})${r.duplicates > 0 ? `, ${r.duplicates} duplicates skipped` : ''}`,
  ]
  const renamed = Object.entries(r.renamed)
  if (renamed.length > 0) {
    const more = renamed.length >= MAX_REPORTED_RENAMES ? ' (and more)' : ''
    const list = renamed.map(([sent, stored]) => `${safeText(JSON.stringify(sent))} → ${safeText(stored)}`).join(', ')
    lines.push(`  normalised ${plural(renamed.length, 'event name')} to snake_case: ${list}${more}`)
  }
  if (r.skipped_count > 0) {
    lines.push(`  skipped ${plural(r.skipped_count, 'invalid line')}:`)
    for (const issue of r.skipped.slice(0, SKIPPED_SHOWN)) lines.push(`  ${shown}:${issue.line}: ${safeText(issue.message)}`)
    if (r.skipped_count > SKIPPED_SHOWN) lines.push(`  …and ${r.skipped_count - SKIPPED_SHOWN} more (see --json)`)
  }
  return lines.join('\n')
}

/** `joe events generate`: what was written where, or that it was there already. */
export function renderGenerate(result: EventsGenerateResult): string {
  const store = safeText(result.store)
  if (result.already_generated) return `already generated with these options in ${store}; nothing to do`
  return `generated ${n(result.events)} events for ${n(result.customers)} customers into ${store}`
}

/** `joe events stats`: totals, time range, then every event type with its count. */
export function renderStoreStats(stats: EventsStatsResult): string {
  const lines = [
    `store      ${safeText(stats.store)}`,
    `events     ${n(stats.events)}`,
    `customers  ${n(stats.customers)}`,
    `from       ${stats.from ?? '-'}`,
    `until      ${stats.until ?? '-'}`,
    `imports    ${stats.imports}`,
  ]
  const types = Object.entries(stats.types).map(([type, count]) => [safeText(type), count] as const)
  if (types.length > 0) {
    lines.push('types')
    const width = Math.max(...types.map(([type]) => type.length))
    for (const [type, count] of types) lines.push(`  ${type.padEnd(width)}  ${n(count)}`)
  }
  return lines.join('\n')
}

/** `joe events show`: the customer, the profile as of the time, then one line per event. */
export function renderTimeline(timeline: EventsShowResult): string {
  const lines = [
    `customer ${safeText(timeline.customer_id)}${timeline.as_of === null ? '' : ` as of ${timeline.as_of}`}`,
    // JSON escapes C0 controls but not C1 ones or bidi controls.
    `profile  ${safeText(JSON.stringify(timeline.profile))}`,
    'events',
  ]
  for (const e of timeline.events) {
    const props = Object.keys(e.properties).length > 0 ? `  ${safeText(JSON.stringify(e.properties))}` : ''
    lines.push(`  ${e.timestamp}  ${safeText(e.type)}${props}`)
  }
  return lines.join('\n')
}
