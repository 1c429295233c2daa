// Worker thread entry of `joe simulate` (see threads.ts): replays chunks of customers with its own
// read-only store connection and sends back one partial per chunk. Built as its own bundle
// (scripts/bundle-commands.js) and found next to threads.js at run time.
import {parentPort, workerData} from 'node:worker_threads'
import {openEventStore} from '../store/open-store.js'
import type {EventStore} from '../store/store-types.js'
import {replayChunks, SIGNAL, type WorkerInput, type WorkerMessage, type WorkerStart} from './threads.js'

const input = workerData as WorkerInput
const control = new Int32Array(input.control)

function send(message: WorkerMessage): void {
  input.port.postMessage(message)
  // Posted first, then signalled: the main thread drains its port after every signal.
  Atomics.add(control, SIGNAL, 1)
  Atomics.notify(control, SIGNAL)
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  send({kind: 'error', message, ...(error instanceof Error && error.stack ? {stack: error.stack} : {})})
}

process.on('uncaughtException', fail)

// Opened while the main thread is still finding the chunk bounds.
let store: EventStore | undefined
let opening: unknown
try {
  store = openEventStore(input.storePath, {readonly: true})
} catch (error) {
  opening = error
}

parentPort?.once('message', (start: WorkerStart) => {
  try {
    if (store === undefined) throw opening
    replayChunks(store, input.setup, start.ranges, control, input.slot, (index, partial) =>
      send({kind: 'chunk', index, thread: input.slot, partial}),
    )
    send({kind: 'done'})
  } catch (error) {
    fail(error)
  } finally {
    store?.close()
    input.port.close()
  }
})
