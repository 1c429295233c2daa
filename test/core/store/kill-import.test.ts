import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {createWriteStream, existsSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {HEAVY_TEST_TIMEOUT} from '../../helpers/timeouts.js'
import {fixture, NOW, tempDir} from './helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
const LINES = 400_000

async function writeBigFile(path: string): Promise<void> {
  const out = createWriteStream(path)
  for (let i = 0; i < LINES; i++) {
    const line = `{"customer_id":"c${i % 5000}","type":"page","timestamp":${1772442000000 + i},"message_id":"k-${i}"}\n`
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

describe('an import killed midway', () => {
  it('leaves a usable store without any of its rows', {timeout: HEAVY_TEST_TIMEOUT}, async () => {
    const dir = tempDir()
    const storePath = join(dir, 'events.db')
    const big = join(dir, 'big.ndjson')
    await writeBigFile(big)
    const store = openEventStore(storePath)
    await importEvents(store, fixture('joe.ndjson'), {now: NOW})
    const before = store.stats()
    store.close()

    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'kill-import-child.ts'), storePath, big], {
      cwd: join(here, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let walBytesAtKill = 0
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const last = /progress (\d+)\n$/.exec(stdout)
      if (last !== null && Number(last[1]) >= 200_000 && child.exitCode === null && !child.killed) {
        walBytesAtKill = existsSync(`${storePath}-wal`) ? statSync(`${storePath}-wal`).size : 0
        child.kill('SIGKILL')
      }
    })
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
    expect(stderr).toBe('')
    expect(signal).toBe('SIGKILL')
    expect(code).toBeNull()
    expect(stdout).not.toContain('done')
    // By then the import's transaction had outgrown the page cache and spilled into the WAL.
    expect(walBytesAtKill).toBeGreaterThan(0)

    const reopened = openEventStore(storePath)
    expect(reopened.db.pragma('integrity_check', {simple: true})).toBe('ok')
    expect(reopened.stats()).toEqual(before)
    // Still writable: the killed import's lock and rows are gone.
    expect(await importEvents(reopened, fixture('dupes.ndjson'), {now: NOW})).toMatchObject({imported: 1, duplicates: 2})
    reopened.close()
  })
})
