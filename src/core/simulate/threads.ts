import {createRequire} from 'node:module'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {MessageChannel, type MessagePort, receiveMessageOnPort, Worker} from 'node:worker_threads'
import {iterateCustomerRows} from '../store/customer-rows.js'
import {customerRangeBounds} from '../store/queries.js'
import type {EventStore} from '../store/store-types.js'
import {createReplayContext, type ReplayPartial, type ReplaySetup} from './replay.js'

/**
 * Replaying customers over several threads. Customers are split into contiguous customer_id
 * ranges (chunks) of about equal numbers of events; this thread and the workers take chunks from a
 * shared counter until none are left, each reading its chunks through the index with its own
 * read-only connection. Every chunk yields a partial; the caller merges them in chunk order, so the
 * output does not depend on how many threads there were or which one took which chunk.
 *
 * `simulate` is synchronous, so this thread never returns to its event loop meanwhile: results come
 * back with receiveMessageOnPort, and it sleeps on Atomics.wait while workers finish.
 */

/** Slots of the shared Int32Array: the next chunk to take; a counter bumped on every message. */
const NEXT = 0
export const SIGNAL = 1
/** Then one slot per thread: customers it has replayed so far (for progress). */
const PROGRESS = 2
const CHUNKS_PER_THREAD = 16
const PROGRESS_EVERY = 256

/** What a worker gets as workerData. */
export interface WorkerInput {
  storePath: string
  setup: ReplaySetup
  control: SharedArrayBuffer
  /** Its progress slot. */
  slot: number
  port: MessagePort
}

/** The first message to a worker: the chunks. */
export interface WorkerStart {
  ranges: CustomerRange[]
}

export type WorkerMessage =
  | {kind: 'chunk'; index: number; thread: number; partial: ReplayPartial}
  | {kind: 'error'; message: string; stack?: string}
  | {kind: 'done'}

export interface CustomerRange {
  after?: string
  through?: string
}

/** Chunk ranges from split points: (-inf, b0], (b0, b1], ..., (b_last, +inf). */
export function rangesFrom(bounds: readonly string[]): CustomerRange[] {
  const ranges: CustomerRange[] = []
  let after: string | undefined
  for (const through of bounds) {
    ranges.push(after === undefined ? {through} : {after, through})
    after = through
  }
  ranges.push(after === undefined ? {} : {after})
  return ranges
}

/** Takes chunks from the shared counter and replays them; returns how many customers it did. */
export function replayChunks(
  store: EventStore,
  setup: ReplaySetup,
  ranges: readonly CustomerRange[],
  control: Int32Array,
  slot: number,
  onChunk: (index: number, partial: ReplayPartial) => void,
  onProgress?: () => void,
): void {
  const context = createReplayContext(setup)
  let done = 0
  for (;;) {
    const index = Atomics.add(control, NEXT, 1)
    const range = ranges[index]
    if (range === undefined) return
    const replay = context.replay()
    for (const customer of iterateCustomerRows(store, {
      until: setup.until,
      ...(setup.from !== undefined ? {from: setup.from} : {}),
      range,
    })) {
      replay.add(customer)
      if (++done % PROGRESS_EVERY === 0) {
        Atomics.store(control, PROGRESS + slot, done)
        onProgress?.()
      }
    }
    Atomics.store(control, PROGRESS + slot, done)
    onChunk(index, replay.partial())
  }
}

/** The worker's entry file: next to this one, bundled or compiled (.js), or as TypeScript under tsx or vitest. */
function workerEntry(): {file: URL; tsx: boolean} {
  const self = new URL(import.meta.url)
  const tsx = self.pathname.endsWith('.ts')
  return {file: new URL(tsx ? './simulate-worker.ts' : './simulate-worker.js', self), tsx}
}

function startWorker(input: WorkerInput): Worker {
  const {file, tsx} = workerEntry()
  // A small young generation: about 30 MB less peak RSS per worker for the same speed (replaying
  // makes many short-lived objects, which die young either way).
  const options = {workerData: input, transferList: [input.port], resourceLimits: {maxYoungGenerationSizeMb: 8}}
  if (!tsx) return new Worker(file, options)
  // TypeScript sources (tests, bin/dev.js): load the entry through tsx's API inside the worker.
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const api = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs'))
  const code = `import(${JSON.stringify(api.href)}).then((tsx) => tsx.tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(file.href)}))`
  return new Worker(code, {...options, eval: true})
}

export interface ThreadHooks {
  /** Called once the workers have their chunks, for work that can overlap theirs. */
  start?: () => void
  /** Customers done so far, every few hundred. */
  progress?: (done: number) => void
  /**
   * For tests: this thread only coordinates until a worker has taken a chunk (or 10 minutes passed,
   * a bound for a worker that never starts, not for a slow one), so the workers surely replay some customers.
   */
  workersFirst?: boolean
  /** A chunk's partial arrived from thread `thread` (0: this one). */
  chunk?: (index: number, thread: number) => void
}

/** A worker that shows no sign of life for this long while chunks are out is taken for dead. */
const STALL_MS = 5 * 60_000

/**
 * Replays every customer of the setup on `threads` threads (this one included) and returns the
 * partials in chunk (= customer id) order.
 */
export function replayInThreads(
  store: EventStore,
  setup: ReplaySetup,
  threads: number,
  events: number,
  hooks: ThreadHooks = {},
): ReplayPartial[] {
  const control = new Int32Array(new SharedArrayBuffer(4 * (PROGRESS + threads)))
  const workers: {worker: Worker; port: MessagePort}[] = []
  try {
    // Workers boot (load modules, open the store) while this thread finds the chunk bounds.
    for (let slot = 1; slot < threads; slot++) {
      const {port1, port2} = new MessageChannel()
      const worker = startWorker({storePath: store.path, setup, control: control.buffer as SharedArrayBuffer, slot, port: port2})
      worker.unref()
      // A worker that fails to start takes no chunk; this thread then replays them all.
      worker.on('error', () => {})
      workers.push({worker, port: port1})
    }
    const ranges = rangesFrom(customerRangeBounds(store, threads * CHUNKS_PER_THREAD, events))
    for (const {worker} of workers) worker.postMessage({ranges} satisfies WorkerStart)
    // After the workers have their chunks: they need not wait for it, and take more chunks meanwhile.
    hooks.start?.()
    const partials: (ReplayPartial | undefined)[] = ranges.map(() => undefined)
    const progress = (): number => {
      let done = 0
      for (let slot = 0; slot < threads; slot++) done += Atomics.load(control, PROGRESS + slot)
      hooks.progress?.(done)
      return done
    }
    const receive = (): void => {
      for (const {port} of workers) {
        for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
          const message = received.message as WorkerMessage
          if (message.kind === 'chunk') {
            partials[message.index] = message.partial
            hooks.chunk?.(message.index, message.thread)
          }
          if (message.kind === 'error') {
            const error = new Error(`simulate worker: ${message.message}`)
            if (message.stack) error.stack = `${error.message}\n-- in the worker --\n${message.stack}`
            throw error
          }
        }
      }
    }
    if (hooks.workersFirst && workers.length > 0) {
      const giveUp = performance.now() + 600_000
      while (Atomics.load(control, NEXT) === 0 && performance.now() < giveUp) Atomics.wait(control, NEXT, 0, 50)
    }
    replayChunks(
      store,
      setup,
      ranges,
      control,
      0,
      (index, partial) => {
        partials[index] = partial
        hooks.chunk?.(index, 0)
      },
      progress,
    )
    // Then wait for the chunks the workers took (a stall timer, not a clock: nothing reported depends on it).
    let lastSign = ''
    let lastChange = performance.now()
    for (;;) {
      const seen = Atomics.load(control, SIGNAL)
      receive()
      const done = progress()
      if (partials.every((p) => p !== undefined)) return partials as ReplayPartial[]
      const sign = `${seen}/${done}`
      if (sign !== lastSign) [lastSign, lastChange] = [sign, performance.now()]
      else if (performance.now() - lastChange > STALL_MS) throw new Error('a simulate worker stopped without finishing its customers')
      Atomics.wait(control, SIGNAL, seen, 250)
    }
  } finally {
    for (const {worker, port} of workers) {
      port.close()
      worker.terminate().catch(() => {})
    }
  }
}
