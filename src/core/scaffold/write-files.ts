import {access, mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {JoeError} from '../errors.js'
import {writeFailure} from '../project/user-files.js'
import {toPosix} from './paths.js'

/** A file to write: path relative to `root`, and its content. */
export interface PlannedFile {
  path: string
  content: string
}

/** Whether a file or folder exists at `file`. */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

/**
 * Writes every planned file under `root`, creating folders. Nothing is written
 * when any of them exists and `force` is not set: JOE1032 lists them all.
 * Returns the written paths (relative, forward slashes) in plan order.
 */
export async function writePlannedFiles(root: string, files: PlannedFile[], force: boolean): Promise<string[]> {
  if (!force) {
    const taken: string[] = []
    for (const f of files) if (await pathExists(path.join(root, f.path))) taken.push(toPosix(f.path))
    if (taken.length > 0) {
      throw new JoeError(
        'JOE1032',
        `${taken.length === 1 ? 'a file' : 'files'} already exist${taken.length === 1 ? 's' : ''}: ${taken.join(', ')}`,
        {
          hint: 'nothing was written; pass --force to overwrite, or choose another id or directory',
        },
      )
    }
  }
  for (const f of files) {
    const target = path.join(root, f.path)
    try {
      await mkdir(path.dirname(target), {recursive: true})
      await writeFile(target, f.content, 'utf8')
    } catch (error) {
      throw writeError(target, error)
    }
  }
  return files.map((f) => toPosix(f.path))
}

/** JOE1036: a file of the project could not be written (a file in the way, a read-only folder). */
export function writeError(file: string, error: unknown): JoeError {
  const {why} = writeFailure(error)
  return new JoeError('JOE1036', `cannot write ${file}: ${why}`, {
    hint: 'check the folder: it must be writable, and no file may stand where a folder goes',
    cause: error,
  })
}
