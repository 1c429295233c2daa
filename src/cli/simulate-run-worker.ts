// Worker thread of `joe simulate` (see simulate-run.ts): runs the synchronous replay off the main
// thread, so the main thread stays free to draw progress and to stop everything on Ctrl-C. Writes
// the trace itself, in large synchronous writes, so memory holds a buffer, not every trace line.
import {closeSync, openSync, writeSync} from 'node:fs'
import {parentPort, workerData} from 'node:worker_threads'
import type {CustomerResult} from '../core/engine/types.js'
import {isJoeError} from '../core/errors.js'
import {type SimulateOptions, simulate} from '../core/simulate/simulate.js'

export interface SimulateRunInput {
  options: Omit<SimulateOptions, 'onResult' | 'onProgress'>
  /** Where to write the NDJSON trace (a temporary file the main thread renames when done). */
  traceFile?: string
  /** Whether to count customers and report progress. */
  progress: boolean
}

export type SimulateRunMessage =
  | {kind: 'progress'; done: number; total: number}
  | {kind: 'done'; result: ReturnType<typeof simulate>}
  | {
      kind: 'failed'
      /** A JoeError's fields, so the main thread can throw the same friendly error. */
      joe?: {code: string; message: string; hint?: string; where?: unknown; exitCode: 1 | 2}
      message: string
      stack?: string
      /** The errno code of a failed trace write (ENOSPC, EIO, …). */
      errno?: string
      inTrace?: boolean
    }

const FLUSH_AT = 1 << 20

/** One line of `--trace`: every transition of every customer, in replay order. */
export function traceLines(journey: string, customer: CustomerResult): string {
  let text = ''
  for (const t of customer.trace) {
    text += `${JSON.stringify({journey, customer_id: customer.customerId, at: new Date(t.at).toISOString(), kind: t.kind, step: t.step ?? null, detail: t.detail})}\n`
  }
  return text
}

function run(input: SimulateRunInput): SimulateRunMessage {
  const post = (message: SimulateRunMessage) => parentPort?.postMessage(message)
  let fd: number | undefined
  let buffer = ''
  let inTrace = false
  const flush = () => {
    if (fd === undefined || buffer === '') return
    inTrace = true
    writeSync(fd, buffer)
    inTrace = false
    buffer = ''
  }
  try {
    if (input.traceFile !== undefined) {
      inTrace = true
      fd = openSync(input.traceFile, 'w')
      inTrace = false
    }
    const result = simulate({
      ...input.options,
      ...(fd === undefined
        ? {}
        : {
            onResult: (journey: string, customer: CustomerResult) => {
              buffer += traceLines(journey, customer)
              if (buffer.length >= FLUSH_AT) flush()
            },
          }),
      ...(input.progress ? {onProgress: (done: number, total: number) => post({kind: 'progress', done, total})} : {}),
    })
    flush()
    return {kind: 'done', result}
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code
    return {
      kind: 'failed',
      message: (error as Error).message,
      ...((error as Error).stack ? {stack: (error as Error).stack} : {}),
      ...(isJoeError(error)
        ? {
            joe: {
              code: error.code,
              message: error.message,
              ...(error.hint ? {hint: error.hint} : {}),
              ...(error.where ? {where: error.where} : {}),
              exitCode: error.exitCode,
            },
          }
        : {}),
      ...(typeof errno === 'string' ? {errno} : {}),
      ...(inTrace ? {inTrace} : {}),
    }
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

parentPort?.postMessage(run(workerData as SimulateRunInput))
