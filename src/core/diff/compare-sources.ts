import {existsSync, statSync} from 'node:fs'
import path from 'node:path'
import {isDynamicPattern} from 'tinyglobby'
import {JoeError} from '../errors.js'
import {type JoeConfig, requireConfig, withoutCatalog} from '../project/config.js'
import {displayPath} from '../project/discover.js'
import {JOURNEY_ID, selectJourneys} from '../project/select-journeys.js'
import {diffPair, diffProjects, type ProjectDiff, summarize} from './diff-project.js'
import {gitTopLevel, listFilesAt, resolveCommit, showFile} from './git.js'
import {type BrokenFile, isBroken, type JourneyFile, loadJourneyText, requireValid} from './journey-text.js'

export interface DiffSides {
  diff: ProjectDiff
  /** Old and new versions by journey id, for impact and graphs. */
  old: Map<string, JourneyFile>
  new: Map<string, JourneyFile>
  config: JoeConfig
  /** Present with `--base`: the ref as given and the commit it named. */
  base?: {ref: string; commit: string}
}

const byId = (files: JourneyFile[]) => new Map(files.map((f) => [f.journey.id, f]))

/**
 * `joe diff OLD NEW`: two journey files or ids (one journey diff, whatever their ids), or two folders
 * or globs (journeys matched by id). Each side is selected as every command selects journeys (a journey id
 * works too), checked without the template catalog.
 */
export async function diffPaths(oldPath: string, newPath: string, options: {cwd: string; configPath?: string}): Promise<DiffSides> {
  const config = await requireConfig(options.cwd, options.configPath)
  const select = async (name: string) =>
    (
      await selectJourneys({
        cwd: options.cwd,
        ...(options.configPath ? {configPath: options.configPath} : {}),
        names: [name],
        templates: false,
      })
    ).journeys.map((j): JourneyFile => ({path: j.file, journey: j.journey}))
  const oldFiles = await select(oldPath)
  const newFiles = await select(newPath)
  // Two files (or ids) are one journey's two versions, whatever their ids; folders and globs are matched by id.
  const single = (name: string) =>
    !isDynamicPattern(name) && statSync(path.resolve(options.cwd, name), {throwIfNoEntry: false})?.isDirectory() !== true
  if (single(oldPath) && single(newPath) && oldFiles.length === 1 && newFiles.length === 1) {
    const [old, next] = [oldFiles[0] as JourneyFile, newFiles[0] as JourneyFile]
    const pair = diffPair(old, next)
    return {diff: summarize([{...pair, file_renamed: false}]), old: new Map([[pair.id, old]]), new: new Map([[pair.id, next]]), config}
  }
  return {diff: diffProjects(oldFiles, newFiles), old: byId(oldFiles), new: byId(newFiles), config}
}

const JOURNEY_FILE = /\.journey\.ya?ml$/
const GLOB = /[*?[{]/

/** The folder part of a glob before its first wildcard, e.g. `journeys` for `journeys/*.yaml`. */
function globPrefix(glob: string): string {
  const head = glob.slice(0, glob.search(GLOB))
  return head.includes('/') ? head.slice(0, head.lastIndexOf('/')) : ''
}

/** `*` and `?` within a path segment, `**` across segments, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string
    if (ch === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*'
      i += glob[i + 2] === '/' ? 2 : 1
    } else if (ch === '*') out += '[^/]*'
    else if (ch === '?') out += '[^/]'
    else if (ch === '{') out += '(?:'
    else if (ch === '}') out += ')'
    else if (ch === ',' && out.lastIndexOf('(?:') > out.lastIndexOf(')')) out += '|'
    else out += ch.replace(/[.+^$()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${out}$`)
}

/** Whether a listed file is under one of the non-glob paths (a folder or the file itself). */
function covered(file: string, relatives: readonly string[]): boolean {
  return relatives.some((r) => !GLOB.test(r) && (r === '' || file === r || file.startsWith(`${r}/`)))
}

/**
 * `joe diff [PATHS] --base REF`: the working tree against a git ref. PATHS (default: the
 * configured journeys folders) are read at the ref with `git ls-tree`/`git show` and in
 * the working tree; journeys are matched by id, so added, removed and renamed files work.
 */
export async function diffAgainstRef(
  ref: string,
  options: {cwd: string; paths: readonly string[]; configPath?: string},
): Promise<DiffSides> {
  const top = await gitTopLevel(options.cwd)
  const commit = await resolveCommit(top, ref)
  const config = await requireConfig(options.cwd, options.configPath)
  // The working tree, as every command selects journeys; names that no longer exist are fine: their journeys were removed.
  const selection = await selectJourneys({
    cwd: options.cwd,
    ...(options.configPath ? {configPath: options.configPath} : {}),
    names: options.paths,
    allowMissing: true,
    templates: false,
  })
  const newFiles = selection.journeys.map((j): JourneyFile => ({path: j.file, journey: j.journey}))
  // At the ref, a journey id names the journey with that id in the configured folders (wherever its
  // file was); a name that is no path in the working tree and looks like an id is one.
  const isId = (name: string) =>
    JOURNEY_ID.test(name) && (newFiles.some((f) => f.journey.id === name) || !existsSync(path.resolve(options.cwd, name)))
  const ids = new Set(options.paths.filter(isId))
  const names = options.paths.filter((name) => !ids.has(name))
  const given = options.paths.length > 0
  const modelConfig = withoutCatalog(config)
  const oldFiles = [
    ...(names.length > 0 || !given ? await filesAtRef(top, commit, ref, given ? names : undefined, {...options, config: modelConfig}) : []),
    // Only the journeys named need to validate at the ref; a broken file whose id cannot be read might be one of them.
    ...(ids.size > 0
      ? requireValid(
          (await loadFilesAtRef(top, commit, undefined, {...options, config: modelConfig})).filter((f) =>
            isBroken(f) ? f.id === undefined || ids.has(f.id) : ids.has(f.journey.id),
          ),
          ref,
        )
      : []),
  ]
  if (oldFiles.length === 0 && newFiles.length === 0) {
    throw new JoeError(
      'JOE5004',
      `no journey files in ${given ? options.paths.join(', ') : config.journeys.join(', ')} at ${ref} or in the working tree`,
      {
        hint: 'name the journey files or folders to compare, e.g. `joe diff journeys/ --base main`',
        exitCode: 2,
      },
    )
  }
  const old = [...byId(oldFiles).values()]
  return {diff: diffProjects(old, newFiles), old: byId(old), new: byId(newFiles), config, base: {ref, commit}}
}

/**
 * The journeys at a commit under `names` (files, folders, globs; default: the configured journeys
 * folders), read with `git ls-tree`/`git show`; every one must validate (JOE5003).
 */
async function filesAtRef(
  top: string,
  commit: string,
  ref: string,
  names: readonly string[] | undefined,
  options: {cwd: string; config: JoeConfig},
): Promise<JourneyFile[]> {
  return requireValid(await loadFilesAtRef(top, commit, names, options), ref)
}

/** The journey files at a commit under `names`, loaded, the broken ones included. */
async function loadFilesAtRef(
  top: string,
  commit: string,
  names: readonly string[] | undefined,
  options: {cwd: string; config: JoeConfig},
): Promise<Array<JourneyFile | BrokenFile>> {
  const {config} = options
  const absolutes = names ? names.map((p) => path.resolve(options.cwd, p)) : config.journeys.map((p) => path.resolve(config.root, p))
  const relatives = absolutes.map((a) => path.relative(top, a).split(path.sep).join('/'))
  if (relatives.some((r) => r.startsWith('..'))) {
    throw new JoeError('JOE5004', `a path is outside the git repository at ${top}`, {
      hint: 'give paths inside the repository, or compare two files with `joe diff OLD NEW`',
      exitCode: 2,
    })
  }
  // git ls-tree takes no glob pathspecs: list a glob's fixed folder and match the rest here.
  const globs = relatives.filter((r) => GLOB.test(r)).map(globToRegExp)
  const pathspecs = relatives.map((r) => (GLOB.test(r) ? globPrefix(r) : r) || '.')
  // A path named exactly is taken whatever its name; folders only yield *.journey.yaml files.
  const exact = new Set(relatives)
  const listed = (await listFilesAt(top, commit, [...new Set(pathspecs)])).filter((f) =>
    exact.has(f) ? true : globs.length > 0 && globs.some((g) => g.test(f)) ? true : JOURNEY_FILE.test(f) && covered(f, relatives),
  )
  return Promise.all(
    listed.map(async (file) => loadJourneyText(displayPath(options.cwd, path.join(top, file)), await showFile(top, commit, file), config)),
  )
}
