// Runs `joe simulate`'s replay in a worker thread. The replay is synchronous: on the main thread it
// kept Ctrl-C from being handled until the end (a SIGINT listener, like the progress bar's, only runs
// when the event loop is free) and left a truncated trace file. Here the main thread waits on the
// worker, so on SIGINT or SIGTERM it terminates the worker at once, removes the unfinished trace and
// exits 130 (143), as other CLIs do. The trace is written under a temporary name and renamed when
// complete, so the file asked for is whole or absent.
import {rename, unlink} from 'node:fs/promises'
import {createRequire} from 'node:module'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'
import {JoeError, type SourceLocation} from '../core/errors.js'
import type {SimulateResult} from '../core/simulate/simulate.js'
import {checkOutputPath, outputError, partialPath, replaceable} from './output-file.js'
import type {SimulateRunInput, SimulateRunMessage} from './simulate-run-worker.js'

export interface SimulateRunOptions {
  simulate: SimulateRunInput['options']
  /** --trace FILE. */
  trace?: string
  /** Customers done of total; given only when progress is shown (counting customers costs a pass). */
  onProgress?: (done: number, total: number) => void
  /** Called before the process exits on a signal, e.g. to take the progress bar off the terminal. */
  onInterrupt?: () => void
}

const SIGNAL_EXIT = {SIGINT: 130, SIGTERM: 143} as const

export async function runSimulation(options: SimulateRunOptions): Promise<SimulateResult> {
  const {trace} = options
  if (trace !== undefined) await checkOutputPath('--trace', trace)
  // A FIFO or /dev/stdout is written in place: renaming over it would replace the device node.
  const temporary = trace !== undefined && (await replaceable(trace)) ? partialPath(trace) : undefined
  const input: SimulateRunInput = {
    options: options.simulate,
    ...(trace !== undefined ? {traceFile: temporary ?? trace} : {}),
    progress: options.onProgress !== undefined,
  }
  const worker = startWorker(input)
  const removeTemporary = async () => {
    if (temporary !== undefined) await unlink(temporary).catch(() => {})
  }
  let interrupted = false
  const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
    // From here on the run only ends by this exit: the worker's end is no result and no error.
    interrupted = true
    options.onInterrupt?.()
    void worker
      .terminate()
      .then(removeTemporary)
      .finally(() => {
        process.stderr.write(`joe simulate: interrupted${trace === undefined ? '' : `; ${trace} was not written`}\n`)
        process.exit(SIGNAL_EXIT[signal])
      })
  }
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, () => onSignal(signal)] as const)
  for (const [signal, handler] of handlers) process.once(signal, handler)
  try {
    const result = await new Promise<SimulateResult>((resolve, reject) => {
      worker.on('message', (message: SimulateRunMessage) => {
        if (interrupted) return
        if (message.kind === 'progress') options.onProgress?.(message.done, message.total)
        else if (message.kind === 'done') resolve(message.result)
        else reject(failure(message, trace))
      })
      worker.on('error', (error) => {
        if (!interrupted) reject(error)
      })
      worker.on('exit', (code) => {
        if (!interrupted) reject(new Error(`the simulate worker stopped (exit code ${code}) without a result`))
      })
    })
    if (temporary !== undefined && trace !== undefined)
      await rename(temporary, trace).catch((error) => Promise.reject(outputError('--trace', trace, error)))
    return result
  } catch (error) {
    await removeTemporary()
    throw error
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler)
    await worker.terminate()
  }
}

/** The worker's error as the main thread throws it: the same JoeError, a trace write error as JOE1036, else a bug. */
function failure(message: Extract<SimulateRunMessage, {kind: 'failed'}>, trace: string | undefined): Error {
  if (message.joe) {
    const {code, hint, where, exitCode} = message.joe
    return new JoeError(code, message.joe.message, {
      exitCode,
      ...(hint ? {hint} : {}),
      ...(where ? {where: where as SourceLocation} : {}),
    })
  }
  if (message.inTrace && trace !== undefined)
    return outputError('--trace', trace, Object.assign(new Error(message.message), {code: message.errno}))
  const error = new Error(message.message)
  if (message.stack) error.stack = message.stack
  return error
}

/** The worker's entry next to this file: bundled or compiled (.js), or TypeScript under tsx (bin/dev.js). */
function startWorker(input: SimulateRunInput): Worker {
  const self = new URL(import.meta.url)
  if (!self.pathname.endsWith('.ts')) return new Worker(new URL('./simulate-run-worker.js', self), {workerData: input})
  const file = new URL('./simulate-run-worker.ts', self)
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const api = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs'))
  const code = `import(${JSON.stringify(api.href)}).then((tsx) => tsx.tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(file.href)}))`
  return new Worker(code, {workerData: input, eval: true})
}
