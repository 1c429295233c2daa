import type {Connector} from './connector.js'
import {messageJson} from './message-json.js'

/** Prints each message as one JSON line (development): `write` is standard output in `joe serve`. */
export function createStdoutConnector(write: (line: string) => void): Connector {
  return {
    kind: 'stdout',
    async deliver(message) {
      write(`${JSON.stringify(messageJson(message))}\n`)
      return {status: 'sent'}
    },
    async close() {},
  }
}
