import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {tempProject} from '../helpers/temp-project.js'

// The built CLI (npm test builds first).
const bin = path.resolve(import.meta.dirname, '../../bin/run.js')

const SEGMENT = `${[
  {type: 'track', event: 'Order Completed', userId: 'u1', timestamp: '2026-03-01T10:00:00Z', messageId: 'a'},
  {type: 'track', event: 'cartUpdated', userId: 'u1', timestamp: '2026-03-01T09:00:00Z', messageId: 'b'},
]
  .map((e) => JSON.stringify(e))
  .join('\n')}\n`

describe('joe events import --normalize-names (built CLI)', () => {
  it('follows the config, and the flag overrides it', async () => {
    const cwd = await tempProject({'joe.config.yaml': 'events:\n  normalize_names: snake_case\n', 'export.ndjson': SEGMENT})
    const joe = (...args: string[]) => execa('node', [bin, ...args], {cwd, reject: false, env: {NO_COLOR: '1'}})
    const imported = await joe('events', 'import', 'export.ndjson')
    expect(imported.exitCode).toBe(0)
    expect(imported.stdout).toContain(
      'normalised 2 event names to snake_case: "Order Completed" → order_completed, "cartUpdated" → cart_updated',
    )
    expect(Object.keys(JSON.parse((await joe('events', 'stats', '--json')).stdout).types)).toEqual(['cart_updated', 'order_completed'])

    await writeFile(path.join(cwd, 'other.ndjson'), SEGMENT.replaceAll('"messageId":"', '"messageId":"2-'))
    const asSent = await joe('events', 'import', 'other.ndjson', '--normalize-names', 'none', '--store', 'raw.db', '--json')
    expect(asSent.exitCode).toBe(0)
    expect(JSON.parse(asSent.stdout).imports[0].renamed).toEqual({})
    const bad = await joe('events', 'import', 'other.ndjson', '--normalize-names', 'kebab')
    expect(bad.exitCode).toBe(2)
  })
})
