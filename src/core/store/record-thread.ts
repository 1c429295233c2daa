import {JoeError, type JoeErrorOptions} from '../errors.js'
import {startWorker} from '../worker-entry.js'
import type {ImportFormat} from './detect-format.js'
import type {ByteSink, ReadOptions, RecordBatch} from './read-records.js'

/**
 * Reading an import file on a worker thread: it reads, splits, parses and normalises the records
 * (readRecordBatches, unchanged), while this thread writes rows into SQLite and hashes the bytes,
 * which the worker passes on as it reads them. Bytes and batches arrive in file order over one
 * message port. The worker stays at most AHEAD batches ahead of the writer, so memory holds a few
 * batches however slow the writes are.
 */

/** What the worker gets as workerData. */
export interface RecordWorkerInput {
  filePath: string
  format: ImportFormat
  options: ReadOptions
  /** Int32Array slot TAKEN: batches this thread has taken. */
  control: SharedArrayBuffer
}

/** An error from the worker, as plain data: a JoeError stays one; anything else stays a bug with its stack. */
export interface WorkerError {
  message: string
  stack?: string
  /** An errno code (ENOENT, ...) or a JoeError's code. */
  code?: string
  joe?: JoeErrorOptions
}

export type RecordWorkerMessage =
  | {kind: 'bytes'; chunk: Uint8Array}
  | {kind: 'batch'; batch: RecordBatch}
  | {kind: 'done'}
  | {kind: 'error'; error: WorkerError}

/** Batches the worker may read ahead of the writer (about 1 MiB of file each). */
export const AHEAD = 4
/** Slot of the control array: batches taken by this thread so far. */
export const TAKEN = 0

export function toWorkerError(error: unknown): WorkerError {
  if (error instanceof JoeError) {
    return {
      message: error.message,
      code: error.code,
      joe: {...(error.hint ? {hint: error.hint} : {}), ...(error.where ? {where: error.where} : {}), exitCode: error.exitCode},
    }
  }
  const e = error instanceof Error ? error : new Error(String(error))
  const code = (e as NodeJS.ErrnoException).code
  return {message: e.message, ...(e.stack ? {stack: e.stack} : {}), ...(typeof code === 'string' ? {code} : {})}
}

function fromWorkerError(error: WorkerError): Error {
  if (error.joe && error.code) return new JoeError(error.code, error.message, error.joe)
  const rebuilt = new Error(error.message) as NodeJS.ErrnoException
  if (error.code) rebuilt.code = error.code
  if (error.stack) rebuilt.stack = `${error.message}\n-- in the import worker --\n${error.stack}`
  return rebuilt
}

/** The same batches as readRecordBatches(filePath, format, options, bytes), read on a worker thread. */
export async function* readRecordBatchesInWorker(
  filePath: string,
  format: ImportFormat,
  options: ReadOptions,
  bytes: ByteSink,
): AsyncGenerator<RecordBatch> {
  const control = new Int32Array(new SharedArrayBuffer(4))
  const input: RecordWorkerInput = {filePath, format, options, control: control.buffer as SharedArrayBuffer}
  // A young generation big enough for a few batches: the worker's garbage dies young, and with the
  // default size it spent about 1.5x as long in the garbage collector (measured on 1M events).
  const worker = startWorker(import.meta.url, 'record-worker', {workerData: input, resourceLimits: {maxYoungGenerationSizeMb: 64}})
  const queue: RecordWorkerMessage[] = []
  let wake: (() => void) | undefined
  const arrive = (message: RecordWorkerMessage) => {
    queue.push(message)
    wake?.()
  }
  worker.on('message', arrive)
  worker.on('error', (error) => arrive({kind: 'error', error: toWorkerError(error)}))
  worker.on('exit', (code) => arrive({kind: 'error', error: {message: `the import worker stopped (exit code ${code})`}}))
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      const message = queue.shift() as RecordWorkerMessage
      if (message.kind === 'bytes') bytes.add(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength))
      else if (message.kind === 'done') return
      else if (message.kind === 'error') throw fromWorkerError(message.error)
      else {
        yield message.batch
        // Taken and written: the worker may read one more.
        Atomics.add(control, TAKEN, 1)
        Atomics.notify(control, TAKEN)
      }
    }
  } finally {
    worker.removeAllListeners()
    await worker.terminate()
  }
}
