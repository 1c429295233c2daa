// Files that a command writes where a flag says (`--out`, `--trace`): checked before the work
// starts, so a folder or a missing folder is a clear error at once, not a crash at the end.
import {createWriteStream} from 'node:fs'
import {rename, stat, unlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {JoeError} from '../core/errors.js'
import {writeFailure} from '../core/project/user-files.js'

/** JOE1036 for a path that cannot be written: a usage error (2) for a wrong path, 1 for the system refusing. */
export function outputError(flag: string, file: string, error: unknown): JoeError {
  const {why, wrongPath} = writeFailure(error)
  return new JoeError('JOE1036', `cannot write ${flag} ${file}: ${why}`, {
    hint: wrongPath ? `give ${flag} a file path in an existing folder` : 'check the folder is writable and has space',
    exitCode: wrongPath ? 2 : 1,
    cause: error,
  })
}

/** Throws JOE1036 unless `file` can be created or replaced: its folder exists and it is not a folder itself. */
export async function checkOutputPath(flag: string, file: string): Promise<void> {
  const absolute = path.resolve(file)
  const existing = await stat(absolute).catch(() => undefined)
  if (existing?.isDirectory()) throw outputError(flag, file, Object.assign(new Error('is a folder'), {code: 'EISDIR'}))
  const folder = await stat(path.dirname(absolute)).catch((error: unknown) => error)
  if (folder instanceof Error) throw outputError(flag, file, folder)
  if (!(folder as Awaited<ReturnType<typeof stat>>).isDirectory()) {
    throw outputError(flag, file, Object.assign(new Error('not a folder'), {code: 'ENOTDIR'}))
  }
}

/**
 * Writes `text` to `file` whole or not at all: into a temporary file beside it, renamed over it at
 * the end, so an interrupted write never leaves a truncated file under the name asked for.
 */
export async function writeOutputFile(flag: string, file: string, text: string | Uint8Array): Promise<void> {
  await checkOutputPath(flag, file)
  if (!(await replaceable(file))) {
    // /dev/stdout, a FIFO: written in place; renaming over it would replace the device node.
    await writeFile(file, text).catch((error: unknown) => {
      throw outputError(flag, file, error)
    })
    return
  }
  const partial = partialPath(file)
  try {
    await writeFile(partial, text)
    await rename(partial, file)
  } catch (error) {
    await unlink(partial).catch(() => {})
    throw outputError(flag, file, error)
  }
}

/** True when `file` is absent or a regular file, so a finished temporary file may be renamed over it. */
export async function replaceable(file: string): Promise<boolean> {
  const existing = await stat(file).catch(() => undefined)
  return existing === undefined || existing.isFile()
}

/** The temporary name an output is written under until it is complete: hidden, beside it, per process. */
export function partialPath(file: string): string {
  const absolute = path.resolve(file)
  return path.join(path.dirname(absolute), `.${path.basename(absolute)}.${process.pid}.partial`)
}

/**
 * Streams what `produce` writes to `file` (whole or not at all, as writeOutputFile), or to standard
 * output when `file` is undefined. Each write waits for the stream to drain, so a large export never
 * sits in memory.
 */
export async function streamOutput<T>(
  flag: string,
  file: string | undefined,
  produce: (write: (text: string) => Promise<void>) => Promise<T>,
): Promise<T> {
  if (file === undefined) return produce((text) => writeTo(process.stdout, text))
  await checkOutputPath(flag, file)
  const target = (await replaceable(file)) ? partialPath(file) : file
  const stream = createWriteStream(target)
  const failed = new Promise<never>((_, reject) => stream.once('error', (error) => reject(outputError(flag, file, error))))
  failed.catch(() => {})
  try {
    const result = await Promise.race([produce((text) => Promise.race([writeTo(stream, text), failed])), failed])
    await Promise.race([new Promise<void>((resolve) => stream.end(resolve)), failed])
    if (target !== file) await rename(target, file).catch((error: unknown) => Promise.reject(outputError(flag, file, error)))
    return result
  } catch (error) {
    // Closed first: the stream opens its file asynchronously, so an early unlink could come before it.
    if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()).destroy())
    if (target !== file) await unlink(target).catch(() => {})
    throw error
  }
}

function writeTo(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(text)) resolve()
    else stream.once('drain', resolve).once('error', reject)
  })
}
