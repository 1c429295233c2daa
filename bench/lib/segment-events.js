// Writes a Segment-spec NDJSON export of synthetic events: joe's own generator
// (dist/core/store/generate-events.js, ecommerce scenario) gives the customers and
// their timelines; each event becomes the call Segment would have sent, with the
// fields a real export carries (context, originalTimestamp, sentAt, ...) and
// Segment's naming of track events ("Order Completed" for order_completed).
import {closeSync, openSync, renameSync, writeSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

const START = Date.UTC(2026, 0, 5)
const DAYS = 30
const SEED = 7

/** `order_completed` -> `Order Completed`, as Segment's spec names track events. */
export const segmentName = (type) =>
  type
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ')

const CONTEXT = {library: {name: 'analytics.js', version: '5.2.0'}, locale: 'en-US', ip: '203.0.113.7'}

function segmentCall(event) {
  const iso = new Date(event.timestamp).toISOString()
  const common = {
    userId: event.customer_id,
    messageId: event.message_id,
    timestamp: iso,
    originalTimestamp: iso,
    sentAt: iso,
    context: CONTEXT,
  }
  if (event.type === 'identify') return {type: 'identify', ...common, traits: event.properties}
  if (event.type === 'page') return {type: 'page', ...common, name: 'Product', properties: event.properties}
  return {type: 'track', event: segmentName(event.type), ...common, properties: event.properties}
}

/**
 * Writes exactly `count` events to `file` (through a temp file, so a half-written file is never
 * taken for a finished one). Returns the number of bytes written.
 * @param {{root: string, file: string, count: number}} options
 */
export async function writeSegmentExport({root, file, count}) {
  const {generateEvents} = await import(pathToFileURL(path.join(root, 'dist/core/store/generate-events.js')).href)
  const tmp = `${file}.tmp`
  const fd = openSync(tmp, 'w')
  let bytes = 0
  try {
    let written = 0
    let buffer = ''
    // More customers than needed; the loop stops at `count` events.
    for (const event of generateEvents({customers: Math.ceil(count / 5), days: DAYS, seed: SEED, start: START})) {
      buffer += `${JSON.stringify(segmentCall(event))}\n`
      if (++written === count) break
      if (buffer.length > 1 << 20) {
        bytes += writeSync(fd, buffer)
        buffer = ''
      }
    }
    bytes += writeSync(fd, buffer)
    if (written < count) throw new Error(`the generator made only ${written} events, ${count} wanted`)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  return bytes
}
