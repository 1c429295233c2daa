// Worker thread of `joe simulate` (see simulate-run.ts): runs the replay off the main thread, so the
// main thread stays free to draw progress and to stop everything on Ctrl-C. Writes the trace itself
// through a stream the replay waits on (core/simulate/trace.ts).
import {parentPort, workerData} from 'node:worker_threads'
import {isJoeError} from '../core/errors.js'
import {type SimulateOptions, type SimulateResult, simulate, simulatePaced} from '../core/simulate/simulate.js'
import {openTrace} from '../core/simulate/trace.js'

export interface SimulateRunInput {
  options: Omit<SimulateOptions, 'onResult' | 'onProgress'>
  /** Where to write the NDJSON trace (a temporary file the main thread renames when done). */
  traceFile?: string
  /** Whether to count customers and report progress. */
  progress: boolean
}

export type SimulateRunMessage =
  | {kind: 'progress'; done: number; total: number}
  | {kind: 'done'; result: SimulateResult}
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

async function run(input: SimulateRunInput): Promise<SimulateRunMessage> {
  const post = (message: SimulateRunMessage) => parentPort?.postMessage(message)
  const onProgress = input.progress ? {onProgress: (done: number, total: number) => post({kind: 'progress', done, total})} : {}
  let inTrace = false
  try {
    if (input.traceFile === undefined) return {kind: 'done', result: simulate({...input.options, ...onProgress})}
    inTrace = true
    const trace = await openTrace(input.traceFile)
    inTrace = false
    const result = await simulatePaced({...input.options, ...onProgress, onResult: trace.onResult}, () => {
      const wait = trace.pause()
      return wait?.catch((error: unknown) => {
        inTrace = true
        throw error
      })
    })
    inTrace = true
    await trace.close()
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
  }
}

parentPort?.postMessage(await run(workerData as SimulateRunInput))
