// Worker thread entry of the event import (see record-thread.ts): reads the file's record batches and
// posts them in order, staying at most AHEAD batches ahead of the writer. Built as its own bundle
// (scripts/bundle-commands.js) and found next to record-thread.js at run time.
import {parentPort, workerData} from 'node:worker_threads'
import {readRecordBatches} from './read-records.js'
import {AHEAD, type RecordWorkerInput, type RecordWorkerMessage, TAKEN, toWorkerError} from './record-thread.js'

const input = workerData as RecordWorkerInput
const control = new Int32Array(input.control)
const send = (message: RecordWorkerMessage) => parentPort?.postMessage(message)

async function run(): Promise<void> {
  const batches = readRecordBatches(input.filePath, input.format, input.options)
  let sent = 0
  for (;;) {
    const next = await batches.next()
    if (next.done) {
      send({kind: 'done', digest: next.value})
      return
    }
    // Blocks this thread (not the writer's) until the writer has caught up; the timeout lets a
    // terminate() from the writer's side through.
    for (let taken = Atomics.load(control, TAKEN); sent - taken >= AHEAD; taken = Atomics.load(control, TAKEN)) {
      Atomics.wait(control, TAKEN, taken, 200)
    }
    send({kind: 'batch', batch: next.value})
    sent++
  }
}

run().catch((error: unknown) => send({kind: 'error', error: toWorkerError(error)}))
