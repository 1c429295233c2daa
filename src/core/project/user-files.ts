// How joe opens files that users (or the repositories they check out) name: the one place that
// decides what joe reads. A journey path can be a symlink to /dev/zero (endless bytes), a FIFO
// (blocks until someone writes), or a symlink to a secret outside the project that a code frame
// would print. So joe reads only regular files, only up to a limit, and never follows a symlink
// from inside the project root to outside it.
import {constants} from 'node:fs'
import {lstat, open, realpath, stat} from 'node:fs/promises'
import path from 'node:path'

/** Why a path cannot be read as a file; the message completes "cannot read …: ". */
export interface FileProblem {
  kind: 'missing' | 'folder' | 'not-regular' | 'outside-root' | 'unreadable'
  message: string
}

/** True when `child` is `parent` or inside it (both absolute, resolved). */
export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
}

/** What a non-regular file is, in words. */
export function describeFileType(info: {
  isFIFO(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
  isSocket(): boolean
  isDirectory(): boolean
}): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)'
  if (info.isCharacterDevice()) return 'a character device'
  if (info.isBlockDevice()) return 'a block device'
  if (info.isSocket()) return 'a socket'
  if (info.isDirectory()) return 'a folder'
  return 'not a regular file'
}

/**
 * Where a path inside `root` really leads, when a symlink takes it out of `root`; undefined when it
 * stays inside (or the path is outside `root` to begin with: the user named it, joe follows it).
 */
export async function escapesRoot(absolute: string, root: string): Promise<string | undefined> {
  const resolvedRoot = path.resolve(root)
  if (!isInside(path.resolve(absolute), resolvedRoot)) return undefined
  const [real, realRoot] = await Promise.all([realpath(absolute), realpath(resolvedRoot).catch(() => resolvedRoot)])
  return isInside(real, realRoot) ? undefined : real
}

/** Checks that `absolute` is a regular file joe may read (inside `root` when given); undefined when it is. */
export async function fileProblem(absolute: string, root?: string): Promise<FileProblem | undefined> {
  let info: Awaited<ReturnType<typeof stat>>
  try {
    // lstat first: a dangling symlink is "missing", not an error of its own.
    await lstat(absolute)
    info = await stat(absolute)
  } catch (error) {
    return errnoProblem(error)
  }
  if (info.isDirectory()) return {kind: 'folder', message: 'it is a folder, not a file'}
  if (!info.isFile()) return {kind: 'not-regular', message: `it is ${describeFileType(info)}, not a regular file`}
  if (root !== undefined) {
    const target = await escapesRoot(absolute, root).catch(() => undefined)
    if (target !== undefined) {
      return {kind: 'outside-root', message: `it is a symlink to ${target}, outside the project root ${path.resolve(root)}`}
    }
  }
  return undefined
}

function errnoProblem(error: unknown): FileProblem {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return {kind: 'missing', message: 'no such file'}
  if (code === 'EACCES' || code === 'EPERM') return {kind: 'unreadable', message: 'permission denied'}
  if (code === 'ELOOP') return {kind: 'unreadable', message: 'too many levels of symlinks'}
  return {kind: 'unreadable', message: code ?? (error as Error).message}
}

export type BoundedRead = {bytes: Buffer} | {problem: FileProblem} | {tooLarge: true; size: number}

/**
 * Reads a regular file, stopping after `maxBytes` (it never holds more than `maxBytes + 1` bytes,
 * whatever the file claims its size is). Opened non-blocking, so a FIFO put in the file's place
 * after the check does not hang the open; fstat on the open handle decides what was opened.
 */
export async function readBounded(absolute: string, maxBytes: number): Promise<BoundedRead> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(absolute, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EISDIR') return {problem: {kind: 'folder', message: 'it is a folder, not a file'}}
    return {problem: errnoProblem(error)}
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) return {problem: {kind: 'not-regular', message: `it is ${describeFileType(info)}, not a regular file`}}
    if (info.size > maxBytes) return {tooLarge: true, size: info.size}
    let buffer = Buffer.alloc(Math.min(maxBytes + 1, info.size + 1))
    let length = 0
    for (;;) {
      if (length === buffer.length) {
        // Full: the file grew since the fstat (or is a /proc file that reports size 0).
        if (length > maxBytes) break
        const bigger = Buffer.alloc(Math.min(maxBytes + 1, Math.max(64 * 1024, length * 2)))
        buffer.copy(bigger, 0, 0, length)
        buffer = bigger
      }
      const {bytesRead} = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > maxBytes) return {tooLarge: true, size: length}
    return {bytes: buffer.subarray(0, length)}
  } catch (error) {
    return {problem: errnoProblem(error)}
  } finally {
    await handle.close()
  }
}

/**
 * Why a file could not be written, in words, and whether the path itself was wrong (a folder, a
 * missing folder: a usage error) rather than the system refusing (permissions, a full disk).
 */
export function writeFailure(error: unknown): {why: string; wrongPath: boolean} {
  const code = (error as NodeJS.ErrnoException).code
  const reasons: Record<string, string> = {
    EISDIR: 'it is a folder',
    ENOENT: 'its folder does not exist',
    ENOTDIR: 'a part of its path is a file, not a folder',
    EEXIST: 'a file is in the way of a folder it needs',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
  }
  const why = (code !== undefined ? reasons[code] : undefined) ?? (error as Error).message
  return {why, wrongPath: code === 'EISDIR' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'EEXIST'}
}
