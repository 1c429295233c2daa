import {createReadStream} from 'node:fs'
import {extname} from 'node:path'
import {createInterface} from 'node:readline'
import {JoeError} from '../errors.js'
import {isObject} from './parse-event.js'

export type ImportFormat = 'segment' | 'joe' | 'csv'

const SEGMENT_TYPES = new Set(['track', 'identify', 'page', 'screen'])
const LINES_TO_LOOK_AT = 50

/** What one line says about the format, or undefined when it says nothing (blank, not JSON, unrelated). */
export function formatOfLine(line: string): ImportFormat | undefined {
  const text = line.replace(/^\uFEFF/, '').trim()
  if (text === '') return undefined
  if (text.startsWith('{')) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    if (!isObject(value)) return undefined
    if ('customer_id' in value) return 'joe'
    if ('userId' in value || 'anonymousId' in value) return 'segment'
    if (
      typeof value.type === 'string' &&
      SEGMENT_TYPES.has(value.type) &&
      ('messageId' in value || 'event' in value || 'traits' in value)
    ) {
      return 'segment'
    }
    return undefined
  }
  // A CSV header names its columns.
  if (/(^|,)\s*"?(customer_id|user_?id)"?\s*(,|$)/i.test(text)) return 'csv'
  return undefined
}

/**
 * Picks the import format: `.csv` by extension, otherwise by the first lines that say something
 * (a joe line has `customer_id`, a Segment line `userId`/`anonymousId`). Throws JOE3003 when unsure.
 */
export async function detectFormat(filePath: string): Promise<ImportFormat> {
  if (extname(filePath).toLowerCase() === '.csv') return 'csv'
  const stream = createReadStream(filePath, {encoding: 'utf8'})
  const lines = createInterface({input: stream, crlfDelay: Number.POSITIVE_INFINITY})
  let looked = 0
  let sawContent = false
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue
      sawContent = true
      const format = formatOfLine(line)
      if (format !== undefined) return format
      if (++looked >= LINES_TO_LOOK_AT) break
    }
  } finally {
    lines.close()
    stream.destroy()
  }
  const hint = 'pass the format explicitly (--format joe, segment or csv)'
  if (!sawContent) throw new JoeError('JOE3003', `${filePath} is empty: there are no events to import`, {hint})
  throw new JoeError('JOE3003', `cannot tell the format of ${filePath} from its first lines`, {
    hint: `joe NDJSON lines have "customer_id", Segment lines "userId" or "anonymousId", CSV files a header row with customer_id,type,timestamp; ${hint}`,
  })
}
