import type {Worker} from 'node:worker_threads'
import {startWorker} from '../worker-entry.js'
import {type CheckedJourneyFile, type CheckJourneyOptions, checkJourneyFile} from './check-file.js'
import type {JoeConfig} from './config.js'
import type {ProjectFile} from './discover.js'

/**
 * Checking journey files on several threads. The files are cut into chunks of consecutive files;
 * this thread and the workers take chunks from a shared counter until none are left, so a worker
 * still starting up takes fewer. Results are put back in file order, so the output does not depend
 * on how many threads there were or which one checked which file. A chunk that a worker took but
 * did not deliver (it failed, or died) is checked again here, where a bug shows its stack as usual.
 */

/** What a worker gets as workerData. */
export interface CheckWorkerInput {
  files: ProjectFile[]
  chunkSize: number
  config: JoeConfig
  options: CheckJourneyOptions
  /** Int32Array slot 0: the next chunk to take. */
  control: SharedArrayBuffer
}

export type CheckWorkerMessage = {kind: 'chunk'; index: number; results: CheckedJourneyFile[]} | {kind: 'done'}

/** About this many chunks per thread: enough for the threads to finish together. */
const CHUNKS_PER_THREAD = 12

/** The files of chunk `index`. */
export function chunkFiles(files: readonly ProjectFile[], chunkSize: number, index: number): ProjectFile[] {
  return files.slice(index * chunkSize, (index + 1) * chunkSize)
}

/** Takes chunks from the shared counter until none are left; `deliver` gets each chunk's results. */
export async function checkChunks(
  input: Omit<CheckWorkerInput, 'control'>,
  control: Int32Array,
  deliver: (index: number, results: CheckedJourneyFile[]) => void,
) {
  const chunks = Math.ceil(input.files.length / input.chunkSize)
  for (;;) {
    const index = Atomics.add(control, 0, 1)
    if (index >= chunks) return
    const files = chunkFiles(input.files, input.chunkSize, index)
    deliver(index, await Promise.all(files.map((file) => checkJourneyFile(file, input.config, input.options))))
  }
}

export interface CheckThreadHooks {
  /** For tests: this thread takes no chunk; it checks only what the workers did not deliver. */
  workersOnly?: boolean
  /** Chunk `index` arrived from worker `thread` (1, 2, ...). */
  chunk?: (index: number, thread: number) => void
}

/** Checks every journey file on `threads` threads (this one included); results in file order. */
export async function checkJourneysInThreads(
  files: readonly ProjectFile[],
  config: JoeConfig,
  options: CheckJourneyOptions,
  threads: number,
  hooks: CheckThreadHooks = {},
): Promise<CheckedJourneyFile[]> {
  const chunkSize = Math.max(1, Math.ceil(files.length / (threads * CHUNKS_PER_THREAD)))
  const chunks = Math.ceil(files.length / chunkSize)
  const results: (CheckedJourneyFile[] | undefined)[] = Array.from({length: chunks}, () => undefined)
  const control = new SharedArrayBuffer(4)
  const input: CheckWorkerInput = {files: [...files], chunkSize, config, options, control}
  const workers: Worker[] = []
  const finished: Promise<void>[] = []
  try {
    for (let i = 1; i < threads; i++) {
      const worker = startWorker(import.meta.url, 'check-worker', {workerData: input})
      workers.push(worker)
      finished.push(
        new Promise<void>((resolve) => {
          worker.on('message', (message: CheckWorkerMessage) => {
            if (message.kind === 'chunk') {
              results[message.index] = message.results
              hooks.chunk?.(message.index, i)
            } else resolve()
          })
          // A worker that fails to start or dies leaves its chunks to this thread.
          worker.on('error', () => resolve())
          worker.on('exit', () => resolve())
        }),
      )
    }
    if (!hooks.workersOnly) {
      await checkChunks(input, new Int32Array(control), (index, checked) => {
        results[index] = checked
      })
    }
    await Promise.all(finished)
    for (let index = 0; index < chunks; index++) {
      if (results[index] !== undefined) continue
      const chunk = chunkFiles(files, chunkSize, index)
      results[index] = await Promise.all(chunk.map((file) => checkJourneyFile(file, config, options)))
    }
    return results.flatMap((r) => r ?? [])
  } finally {
    for (const worker of workers) worker.terminate().catch(() => {})
  }
}
