// Files that a command writes where a flag says (`--out`, `--trace`): checked before the work
// starts, so a folder or a missing folder is a clear error at once, not a crash at the end.
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
export async function writeOutputFile(flag: string, file: string, text: string): Promise<void> {
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
