// Worker thread entry of the event import (see record-thread.ts): reads the file's record batches and
// posts them, and the bytes they came from, in order, staying at most AHEAD batches ahead of the
// writer. Built as its own bundle (scripts/bundle-commands.js) and found next to record-thread.js.
import {parentPort, workerData} from 'node:worker_threads'
import {type ByteSink, readRecordBatches} from './read-records.js'
import {AHEAD, type RecordWorkerInput, type RecordWorkerMessage, TAKEN, toWorkerError} from './record-thread.js'

const input = workerData as RecordWorkerInput
const control = new Int32Array(input.control)
const send = (message: RecordWorkerMessage, transfer: ArrayBuffer[] = []) => parentPort?.postMessage(message, transfer)

/** Passes every chunk on to the writer's thread, which hashes it: this thread has the parsing to do. */
class Forward implements ByteSink {
  read = 0

  add(chunk: Buffer): void {
    this.read += chunk.length
    // A copy of its own: the stream's buffer may be shared, and a transferred one is gone from here.
    const copy = new Uint8Array(chunk)
    send({kind: 'bytes', chunk: copy}, [copy.buffer])
  }
}

async function run(): Promise<void> {
  let sent = 0
  for await (const batch of readRecordBatches(input.filePath, input.format, input.options, new Forward())) {
    // Blocks this thread (not the writer's) until the writer has caught up; the timeout lets a
    // terminate() from the writer's side through.
    for (let taken = Atomics.load(control, TAKEN); sent - taken >= AHEAD; taken = Atomics.load(control, TAKEN)) {
      Atomics.wait(control, TAKEN, taken, 200)
    }
    send({kind: 'batch', batch})
    sent++
  }
  send({kind: 'done'})
}

run().catch((error: unknown) => send({kind: 'error', error: toWorkerError(error)}))
