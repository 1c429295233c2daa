import {stat} from 'node:fs/promises'
import path from 'node:path'
import {glob, isDynamicPattern} from 'tinyglobby'
import type {Diagnostic} from '../errors.js'

export type ProjectFileKind = 'journey' | 'test'

export interface ProjectFile {
  absolute: string
  /** Path as shown to users: relative to cwd, forward slashes. */
  display: string
  kind: ProjectFileKind
}

const JOURNEY_GLOBS = ['**/*.journey.yaml', '**/*.journey.yml', '**/*.test.yaml', '**/*.test.yml']
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.joe/**']

export function fileKind(file: string): ProjectFileKind {
  return /\.test\.ya?ml$/.test(file) ? 'test' : 'journey'
}

/** A path as shown to users: relative to cwd when inside it, forward slashes. */
export function displayPath(cwd: string, absolute: string): string {
  const relative = path.relative(cwd, absolute)
  return (relative.startsWith('..') || relative === '' ? absolute : relative).split(path.sep).join('/')
}

/**
 * Resolves files, folders and globs to journey and test files, sorted and
 * de-duplicated. Folders are searched for `*.journey.yaml` and `*.test.yaml`;
 * a file named explicitly is taken whatever its name.
 */
export async function discoverFiles(paths: readonly string[], cwd: string): Promise<{files: ProjectFile[]; diagnostics: Diagnostic[]}> {
  const found = new Set<string>()
  const diagnostics: Diagnostic[] = []
  for (const given of paths) {
    const at = {file: given, line: 1, column: 1}
    if (isDynamicPattern(given)) {
      const matches = await glob(given, {cwd, absolute: true, ignore: IGNORE, onlyFiles: true})
      const yamls = matches.filter((m) => /\.ya?ml$/.test(m))
      if (yamls.length === 0)
        diagnostics.push({
          code: 'JOE1030',
          severity: 'error',
          message: `no YAML files match "${given}"`,
          hint: 'check the pattern; quote it so your shell does not expand it',
          location: at,
        })
      for (const m of yamls) found.add(m)
      continue
    }
    const absolute = path.resolve(cwd, given)
    const info = await stat(absolute).catch(() => undefined)
    if (!info) {
      diagnostics.push({
        code: 'JOE1031',
        severity: 'error',
        message: `"${given}" does not exist`,
        hint: 'check the path; run `joe init` to create a project',
        location: at,
      })
      continue
    }
    if (info.isDirectory()) {
      const matches = await glob(JOURNEY_GLOBS, {cwd: absolute, absolute: true, ignore: IGNORE, onlyFiles: true})
      if (matches.length === 0) {
        diagnostics.push({
          code: 'JOE1030',
          severity: 'error',
          message: `no journey files in folder "${given}"`,
          hint: 'journey files are named *.journey.yaml (tests *.test.yaml); create one with `joe new journey ID --template cart-abandonment`',
          location: at,
        })
      }
      for (const m of matches) found.add(path.normalize(m))
    } else found.add(absolute)
  }
  const files = [...found]
    .map((absolute) => ({absolute, display: displayPath(cwd, absolute), kind: fileKind(absolute)}))
    .sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0))
  return {files, diagnostics}
}
