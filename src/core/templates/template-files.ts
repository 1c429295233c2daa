import {readdir} from 'node:fs/promises'
import path from 'node:path'
import type {Channel} from '../connectors/connector.js'
import type {Diagnostic} from '../errors.js'
import {MAX_FILE_BYTES} from '../journey/source.js'
import {displayPath} from '../project/discover.js'
import {readBounded} from '../project/user-files.js'
import {classifyTemplateFile, TEMPLATE_CHANNELS, TEMPLATE_EXTENSION, type TemplateFileName} from './template-layout.js'

/** One `.liquid` file under the templates folder, read (or not) with its place in the layout. */
export interface TemplateFile {
  absolute: string
  /** As shown to users: relative to cwd, forward slashes. */
  display: string
  /** Relative to the templates folder, forward slashes. */
  relative: string
  name: TemplateFileName
  /** Undefined when the file could not be read; `diagnostics` then says why. */
  text?: string
  diagnostics: Diagnostic[]
}

/**
 * Whether `dir` is a templates folder: it exists and has at least one channel folder. A folder
 * named `templates` holding something else (joe's own starter journeys, say) is not a catalog.
 */
export async function isTemplateFolder(dir: string): Promise<boolean> {
  const entries = await readdir(dir, {withFileTypes: true}).catch(() => undefined)
  return entries?.some((e) => e.isDirectory() && TEMPLATE_CHANNELS.includes(e.name as Channel)) ?? false
}

/** Every `.liquid` file under `dir` (recursively, skipping dot folders and node_modules), sorted. */
async function liquidFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = await readdir(folder, {withFileTypes: true}).catch(() => [])
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`
      if (entry.isDirectory()) await walk(path.join(folder, entry.name), relative)
      else if (entry.name.endsWith(TEMPLATE_EXTENSION)) out.push(relative)
    }
  }
  await walk(dir, '')
  return out.sort()
}

/**
 * The template ids per channel that the files of `dir` define (main and text parts alike);
 * undefined when `dir` is not a templates folder. Reads names only, no file contents.
 */
export async function listTemplateIds(dir: string): Promise<Record<string, string[]> | undefined> {
  if (!(await isTemplateFolder(dir))) return undefined
  const ids: Record<string, Set<string>> = {}
  for (const relative of await liquidFiles(dir)) {
    const name = classifyTemplateFile(relative)
    if (name.kind !== 'template') continue
    ids[name.channel] ??= new Set()
    ids[name.channel]?.add(name.id)
  }
  return Object.fromEntries(Object.entries(ids).map(([channel, set]) => [channel, [...set].sort()]))
}

/** The catalog of a project: the ids of a config's `templates` list and of the template files, per channel. */
export function mergeTemplateIds(...sources: ReadonlyArray<Readonly<Record<string, unknown>>>): Record<string, string[]> {
  const merged: Record<string, string[]> = {}
  for (const source of sources) {
    for (const [channel, ids] of Object.entries(source)) {
      const list = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []
      merged[channel] = [...new Set([...(merged[channel] ?? []), ...list])]
    }
  }
  return merged
}

/** Reads every `.liquid` file of a templates folder; unreadable files carry a diagnostic instead of text. */
export async function readTemplateFiles(dir: string, cwd: string): Promise<TemplateFile[]> {
  return Promise.all(
    (await liquidFiles(dir)).map(async (relative) => {
      const absolute = path.join(dir, ...relative.split('/'))
      const display = displayPath(cwd, absolute)
      const base = {absolute, display, relative, name: classifyTemplateFile(relative)}
      const read = await readText(absolute, display)
      return typeof read === 'string' ? {...base, text: read, diagnostics: []} : {...base, diagnostics: [read]}
    }),
  )
}

async function readText(absolute: string, display: string): Promise<string | Diagnostic> {
  const at = {file: display, line: 1, column: 1}
  // Regular files only, read with a limit that stops reading (project/user-files.ts).
  const read = await readBounded(absolute, MAX_FILE_BYTES)
  if ('problem' in read) {
    return {code: 'JOE1006', severity: 'error', message: `cannot read the template: ${read.problem.message}`, location: at}
  }
  if ('tooLarge' in read) {
    return {
      code: 'JOE1007',
      severity: 'error',
      message: `the template is ${Math.round(read.size / 1024)} KiB; the limit is ${MAX_FILE_BYTES / 1024} KiB`,
      hint: 'move large images out of the template and link to them',
      location: at,
    }
  }
  const {bytes} = read
  try {
    if (bytes.includes(0)) throw new Error('binary')
    return new TextDecoder('utf-8', {fatal: true}).decode(bytes).replace(/^\uFEFF/, '')
  } catch {
    return {
      code: 'JOE1006',
      severity: 'error',
      message: 'the template is binary or not UTF-8 text',
      hint: 'save it as UTF-8',
      location: at,
    }
  }
}
