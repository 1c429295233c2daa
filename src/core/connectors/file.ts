import {mkdir, open} from 'node:fs/promises'
import path from 'node:path'
import type {Connector} from './connector.js'
import {messageJson} from './message-json.js'

/**
 * Appends each message as one JSON line (NDJSON) to a file, synced before it counts as sent, so a
 * crash never loses a line that the outbox marked delivered (it may repeat one: delivery is at
 * least once, and every line carries its idempotency key).
 */
export function createFileConnector(file: string): Connector {
  let handle: Promise<import('node:fs/promises').FileHandle> | undefined
  const opened = () => {
    handle ??= mkdir(path.dirname(file), {recursive: true}).then(() => open(file, 'a'))
    return handle
  }
  return {
    kind: 'file',
    async deliver(message) {
      try {
        const fh = await opened()
        await fh.appendFile(`${JSON.stringify(messageJson(message))}\n`)
        await fh.sync()
        return {status: 'sent'}
      } catch (error) {
        handle = undefined
        return {status: 'retry', error: `cannot write ${file}: ${(error as Error).message}`}
      }
    },
    async close() {
      if (handle) await (await handle).close().catch(() => undefined)
    },
  }
}
