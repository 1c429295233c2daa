import type {CustomerTimeline} from '../../core/store/queries.js'
import type {StoreStats} from '../../core/store/store-types.js'
import {safeText} from '../safe-text.js'

const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString())
const n = (value: number) => value.toLocaleString('en-US')

/** `joe events stats`: totals, time range, then every event type with its count. */
export function renderStoreStats(stats: StoreStats, storePath: string): string {
  const lines = [
    `store      ${safeText(storePath)}`,
    `events     ${n(stats.events)}`,
    `customers  ${n(stats.customers)}`,
    `from       ${iso(stats.from)}`,
    `until      ${iso(stats.until)}`,
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
export function renderTimeline(timeline: CustomerTimeline, asOf: number | undefined): string {
  const lines = [
    `customer ${safeText(timeline.customerId)}${asOf === undefined ? '' : ` as of ${new Date(asOf).toISOString()}`}`,
    // JSON escapes C0 controls but not C1 ones or bidi controls.
    `profile  ${safeText(JSON.stringify(timeline.profile))}`,
    'events',
  ]
  for (const e of timeline.events) {
    const props = Object.keys(e.properties).length > 0 ? `  ${safeText(JSON.stringify(e.properties))}` : ''
    lines.push(`  ${new Date(e.timestamp).toISOString()}  ${safeText(e.type)}${props}`)
  }
  return lines.join('\n')
}
