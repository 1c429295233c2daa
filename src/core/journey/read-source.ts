import {readFile} from 'node:fs/promises'
import type {Diagnostic} from '../errors.js'
import {MAX_FILE_BYTES, parseYamlSource, type SourceFile} from './source.js'

export interface ReadSourceResult {
  /** Undefined when the file could not be read at all. */
  source?: SourceFile
  diagnostics: Diagnostic[]
}

/**
 * Reads and parses one YAML file. Unreadable, oversized and binary files become
 * located diagnostics instead of exceptions.
 */
export async function readSourceFile(displayPath: string, absolutePath: string): Promise<ReadSourceResult> {
  const at = {file: displayPath, line: 1, column: 1}
  let bytes: Buffer
  try {
    bytes = await readFile(absolutePath)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unknown error'
    const message =
      reason === 'EACCES'
        ? 'permission denied'
        : reason === 'EISDIR'
          ? 'is a folder, not a file'
          : reason === 'ENOENT'
            ? 'no such file'
            : reason
    return {
      diagnostics: [
        {
          code: 'JOE1006',
          severity: 'error',
          message: `cannot read the file: ${message}`,
          hint: 'check the path and its permissions',
          location: at,
        },
      ],
    }
  }
  if (bytes.length > MAX_FILE_BYTES) {
    return {
      diagnostics: [
        {
          code: 'JOE1007',
          severity: 'error',
          message: `the file is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB; the limit is 1 MiB`,
          hint: 'a journey file this large is almost certainly not a journey; split it or check the path',
          location: at,
        },
      ],
    }
  }
  const text = decodeText(bytes)
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
