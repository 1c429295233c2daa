// `joe simulate --trace FILE`: every transition of every customer as NDJSON, written through a
// stream. The replay waits for the stream's 'drain' between customers (simulatePaced), so memory
// holds what one customer adds, however slow the disk or pipe.
import {once} from 'node:events'
import {createWriteStream, type WriteStream} from 'node:fs'
import type {CustomerResult} from '../engine/types.js'
import {iso} from '../instant.js'

/** The lines one customer adds to the trace: one per transition, in replay order. */
export function traceLines(journey: string, customer: CustomerResult): string {
  let text = ''
  for (const t of customer.trace) {
    text += `${JSON.stringify({journey, customer_id: customer.customerId, at: iso(t.at), kind: t.kind, step: t.step ?? null, detail: t.detail})}\n`
  }
  return text
}

export interface TraceWriter {
  /** simulate's onResult: adds the customer's lines. */
  onResult(journey: string, customer: CustomerResult): void
  /** simulatePaced's pause: a promise while the stream's buffer is full, rejected if writing failed. */
  pause(): Promise<void> | undefined
  /** Flushes and closes the file; rejects with the write error, if any. */
  close(): Promise<void>
}

/** Opens `file` for the trace; rejects when it cannot be opened. */
export async function openTrace(file: string): Promise<TraceWriter> {
  const stream = createWriteStream(file)
  let failure: Error | undefined
  stream.on('error', (error) => {
    failure = error
  })
  await once(stream, 'open')
  let full = false
  return {
    onResult(journey, customer) {
      const text = traceLines(journey, customer)
      if (text !== '' && !stream.write(text)) full = true
    },
    pause() {
      if (failure) return Promise.reject(failure)
      if (!full) return undefined
      full = false
      return drained(stream)
    },
    async close() {
      if (failure) throw failure
      stream.end()
      await once(stream, 'close')
      if (failure) throw failure
    },
  }
}

/** Resolves on 'drain', rejects on 'error'. */
function drained(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError)
      resolve()
    }
    const onError = (error: Error) => {
      stream.off('drain', onDrain)
      reject(error)
    }
    stream.once('drain', onDrain)
    stream.once('error', onError)
  })
}
