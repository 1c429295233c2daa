import {type Dirent, readdir, realpath} from 'node:fs'
import {realpath as realpathAsync, stat} from 'node:fs/promises'
import path from 'node:path'
import {type FileSystemAdapter, glob, isDynamicPattern} from 'tinyglobby'
import type {Diagnostic} from '../errors.js'
import {describeFileType, isInside} from './user-files.js'

export type ProjectFileKind = 'journey' | 'test'

export interface ProjectFile {
  absolute: string
  /** Path as shown to users: relative to cwd, forward slashes. */
  display: string
  kind: ProjectFileKind
}

export interface DiscoverOptions {
  cwd: string
  /** The project root (the config file's folder): symlinks inside it that lead out of it are skipped. */
  root: string
  /** For tests: other limits than MAX_DISCOVERY_FOLDERS and MAX_DISCOVERY_FILES. */
  limits?: DiscoveryLimits
}

export interface DiscoveryLimits {
  folders: number
  files: number
}

const JOURNEY_GLOBS = ['**/*.journey.yaml', '**/*.journey.yml', '**/*.test.yaml', '**/*.test.yml']
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.joe/**']
const YAML_NAME = /\.ya?ml$/
const JOURNEY_NAME = /\.(journey|test)\.ya?ml$/

/**
 * Discovery stops after visiting this many folders, or finding this many YAML files, per path
 * given (JOE1035): `journeys: .` in a big repository, or a glob like `/**`, must not walk the disk.
 */
export const MAX_DISCOVERY_FOLDERS = 10_000
export const MAX_DISCOVERY_FILES = 10_000
const LIMITS: DiscoveryLimits = {folders: MAX_DISCOVERY_FOLDERS, files: MAX_DISCOVERY_FILES}

export function fileKind(file: string): ProjectFileKind {
  return /\.test\.ya?ml$/.test(file) ? 'test' : 'journey'
}

/** A path as shown to users: relative to cwd when inside it, forward slashes. */
export function displayPath(cwd: string, absolute: string): string {
  const relative = path.relative(cwd, absolute)
  return (relative.startsWith('..') || relative === '' ? absolute : relative).split(path.sep).join('/')
}

/** The folder part of a glob before its first dynamic segment: `journeys` for `journeys/**\/*.yaml`. */
function staticPrefix(pattern: string): string {
  const segments = pattern.split('/')
  const fixed: string[] = []
  for (const segment of segments.slice(0, -1)) {
    if (isDynamicPattern(segment)) break
    fixed.push(segment)
  }
  return fixed.join('/') || (pattern.startsWith('/') ? '/' : '.')
}

/**
 * Resolves files, folders and globs to journey and test files, sorted and
 * de-duplicated. Folders are searched for `*.journey.yaml` and `*.test.yaml`;
 * a file named explicitly is taken whatever its name (its reader checks it).
 * Walking a folder or glob never leaves the folder the walk starts from (the project root when
 * that is inside it): symlinks out of it, FIFOs and devices are skipped with a JOE1034 warning.
 */
export async function discoverFiles(
  paths: readonly string[],
  options: DiscoverOptions,
): Promise<{files: ProjectFile[]; diagnostics: Diagnostic[]}> {
  const {cwd} = options
  const limits = options.limits ?? LIMITS
  const root = path.resolve(options.root)
  const found = new Set<string>()
  const reals = new Set<string>()
  const add = (absolute: string, real: string) => {
    // One file reached through two paths (a symlinked folder) is read once.
    if (reals.has(real)) return
    reals.add(real)
    found.add(path.normalize(absolute))
  }
  const diagnostics: Diagnostic[] = []
  for (const given of paths) {
    const at = {file: given, line: 1, column: 1}
    const dynamic = isDynamicPattern(given)
    const absolute = path.resolve(cwd, dynamic ? staticPrefix(given) : given)
    const info = await stat(absolute).catch(() => undefined)
    if (!dynamic && !info) {
      diagnostics.push({
        code: 'JOE1031',
        severity: 'error',
        message: `"${given}" does not exist`,
        hint: 'check the path; run `joe init` to create a project',
        location: at,
      })
      continue
    }
    if (!dynamic && !info?.isDirectory()) {
      add(absolute, await realpathAsync(absolute).catch(() => absolute))
      continue
    }
    // A walk stays inside the project root, or inside the folder named when that is outside it.
    const base = isInside(absolute, root) ? root : absolute
    const walk = await walkFolder(
      dynamic ? given : JOURNEY_GLOBS,
      dynamic ? cwd : absolute,
      base,
      dynamic ? YAML_NAME : JOURNEY_NAME,
      limits,
    )
    for (const skipped of walk.skipped) {
      diagnostics.push({
        code: 'JOE1034',
        severity: 'warning',
        message: `skipped ${displayPath(cwd, skipped.path)}: ${skipped.why}`,
        hint: 'joe reads only regular files, and follows symlinks only inside the project; copy the file in instead of linking to it',
        location: {file: displayPath(cwd, skipped.path), line: 1, column: 1},
      })
    }
    if (walk.stopped) {
      diagnostics.push({
        code: 'JOE1035',
        severity: 'error',
        message: `stopped looking for journeys in "${given}" after ${walk.stopped}`,
        hint: `a journeys folder or glob should name the few folders that hold journeys (joe looks at most at ${limits.folders.toLocaleString('en-US')} folders and ${limits.files.toLocaleString('en-US')} YAML files per path)`,
        location: at,
      })
      continue
    }
    const matches = dynamic ? walk.files.filter((m) => YAML_NAME.test(m.link)) : walk.files
    if (matches.length === 0) {
      diagnostics.push(
        dynamic
          ? {
              code: 'JOE1030',
              severity: 'error',
              message: `no YAML files match "${given}"`,
              hint: 'check the pattern; quote it so your shell does not expand it',
              location: at,
            }
          : {
              code: 'JOE1030',
              severity: 'error',
              message: `no journey files in folder "${given}"`,
              hint: 'journey files are named *.journey.yaml (tests *.test.yaml); create one with `joe new journey ID --template cart-abandonment`',
              location: at,
            },
      )
    }
    for (const m of matches) add(m.link, m.real)
  }
  const files = [...found]
    .map((absolute) => ({absolute, display: displayPath(cwd, absolute), kind: fileKind(absolute)}))
    .sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0))
  return {files, diagnostics}
}

interface Walk {
  /** Each file found: the path as walked, and where it really is. */
  files: {link: string; real: string}[]
  skipped: {path: string; why: string}[]
  /** Present when the walk hit a limit: what was reached. */
  stopped?: string
}

/**
 * Globs `patterns` from `cwd` with a file-system adapter that counts the folders read (and stops
 * the walk past the limit), skips symlinks that resolve outside `base`, and notes the FIFOs,
 * devices and sockets named like `wanted` that the walker leaves out.
 */
async function walkFolder(patterns: string | string[], cwd: string, base: string, wanted: RegExp, limits: DiscoveryLimits): Promise<Walk> {
  const realBase = await realpathAsync(base).catch(() => base)
  const skipped: Walk['skipped'] = []
  const controller = new AbortController()
  let folders = 0
  let stopped: string | undefined
  const adapter: FileSystemAdapter = {
    readdir: ((dir: string, options: {withFileTypes: true}, callback: (error: NodeJS.ErrnoException | null, entries: Dirent[]) => void) => {
      if (++folders > limits.folders) {
        stopped ??= `visiting ${limits.folders.toLocaleString('en-US')} folders`
        controller.abort()
        callback(null, [])
        return
      }
      readdir(dir, options, (error, entries) => {
        for (const entry of entries ?? []) {
          if (wanted.test(entry.name) && !entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink())
            skipped.push({path: path.join(dir, entry.name), why: `it is ${describeFileType(entry)}, not a regular file`})
        }
        callback(error, entries ?? [])
      })
    }) as NonNullable<FileSystemAdapter['readdir']>,
    realpath: ((link: string, callback: (error: NodeJS.ErrnoException | null, resolved: string) => void) => {
      realpath(link, (error, resolved) => {
        if (error) return callback(error, '')
        if (isInside(resolved, realBase)) return callback(null, resolved)
        const refuse = () => callback(Object.assign(new Error(`${link} leads outside ${realBase}`), {code: 'ELOOP'}), '')
        // Noted when it would have been read: a file named like a journey, or a folder.
        if (wanted.test(link)) {
          skipped.push({path: link, why: `it is a symlink to ${resolved}, outside ${realBase}; joe does not follow it`})
          return refuse()
        }
        stat(resolved).then((info) => {
          if (info.isDirectory())
            skipped.push({path: link, why: `it is a symlink to the folder ${resolved}, outside ${realBase}; joe does not follow it`})
          refuse()
        }, refuse)
      })
    }) as NonNullable<FileSystemAdapter['realpath']>,
  }
  const links = await glob(patterns, {cwd, absolute: true, ignore: IGNORE, onlyFiles: true, fs: adapter, signal: controller.signal})
  if (links.length > limits.files) stopped ??= `finding ${limits.files.toLocaleString('en-US')} files`
  const files: Walk['files'] = []
  for (const link of links.slice(0, limits.files)) {
    const real = await realpathAsync(link).catch(() => undefined)
    if (real === undefined) continue
    // A symlink to a FIFO or device inside the project: the walker takes it for a file.
    const info = await stat(real).catch(() => undefined)
    if (info && !info.isFile()) {
      skipped.push({path: link, why: `it is ${describeFileType(info)}, not a regular file`})
      continue
    }
    files.push({link, real})
  }
  // A symlinked folder inside the project shows the same entries twice: report each once.
  const seen = new Set<string>()
  const unique: Walk['skipped'] = []
  for (const entry of skipped.sort((a, b) => a.path.length - b.path.length || (a.path < b.path ? -1 : 1))) {
    const key = await realpathAsync(entry.path).catch(() => entry.path)
    if (seen.has(key)) continue
    seen.add(key)
    unique.push(entry)
  }
  return {files, skipped: unique, ...(stopped ? {stopped} : {})}
}
