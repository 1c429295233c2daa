import type {Diagnostic} from '../errors.js'
import {type FileProblem, fileProblem, readBounded} from '../project/user-files.js'
import {MAX_FILE_BYTES, parseYamlSource, type SourceFile} from './source.js'

export interface ReadSourceResult {
  /** Undefined when the file could not be read at all. */
  source?: SourceFile
  diagnostics: Diagnostic[]
}

export interface ReadSourceOptions {
  /** The project root: a symlink inside it that leads out of it is not followed (JOE1033). */
  root?: string
}

/**
 * Reads and parses one YAML file. Unreadable, oversized and binary files, FIFOs and devices, and
 * symlinks that leave the project root become located diagnostics instead of exceptions.
 */
export async function readSourceFile(
  displayPath: string,
  absolutePath: string,
  options: ReadSourceOptions = {},
): Promise<ReadSourceResult> {
  const at = {file: displayPath, line: 1, column: 1}
  const unreadable = (problem: FileProblem): ReadSourceResult => ({
    diagnostics: [
      problem.kind === 'outside-root'
        ? {
            code: 'JOE1033',
            severity: 'error',
            message: `joe does not follow this symlink: ${problem.message}`,
            hint: 'journey, test and config files live inside the project; copy the file in instead of linking to it',
            location: at,
          }
        : {
            code: 'JOE1006',
            severity: 'error',
            message: `cannot read the file: ${problem.message}`,
            hint: 'check the path and its permissions; joe reads regular files only',
            location: at,
          },
    ],
  })
  // Checked before opening: opening a device can have effects of its own.
  const problem = await fileProblem(absolutePath, options.root)
  if (problem) return unreadable(problem)
  const read = await readBounded(absolutePath, MAX_FILE_BYTES)
  if ('problem' in read) return unreadable(read.problem)
  if ('tooLarge' in read) {
    return {
      diagnostics: [
        {
          code: 'JOE1007',
          severity: 'error',
          message: `the file is ${(read.size / 1024 / 1024).toFixed(1)} MiB; the limit is 1 MiB`,
          hint: 'a journey file this large is almost certainly not a journey; split it or check the path',
          location: at,
        },
      ],
    }
  }
  const text = decodeText(read.bytes)
  if (text === undefined) {
    return {
      diagnostics: [
        {
          code: 'JOE1006',
          severity: 'error',
          message: 'the file is binary or not UTF-8 text',
          hint: 'journey files are UTF-8 YAML text',
          location: at,
        },
      ],
    }
  }
  const parsed = parseYamlSource(displayPath, text)
  return {source: parsed.source, diagnostics: parsed.diagnostics}
}

function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined
  try {
    const text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  } catch {
    return undefined
  }
}
