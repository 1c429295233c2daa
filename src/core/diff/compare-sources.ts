import {existsSync} from 'node:fs'
import {stat} from 'node:fs/promises'
import path from 'node:path'
import {JoeError} from '../errors.js'
import {type JoeConfig, requireConfig} from '../project/config.js'
import {discoverFiles, displayPath} from '../project/discover.js'
import {diffPair, diffProjects, type ProjectDiff, summarize} from './diff-project.js'
import {gitTopLevel, listFilesAt, resolveCommit, showFile} from './git.js'
import {type JourneyFile, loadJourneyFile, loadJourneyText, requireValid, withoutCatalog} from './load-journeys.js'

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
 * `joe diff OLD NEW`: two journey files (one journey diff, whatever their ids), or two
 * folders (journeys matched by id).
 */
export async function diffPaths(oldPath: string, newPath: string, options: {cwd: string; configPath?: string}): Promise<DiffSides> {
  const config = await requireConfig(options.cwd, options.configPath)
  const kinds = await Promise.all(
    [oldPath, newPath].map(async (p) => {
      const info = await stat(path.resolve(options.cwd, p)).catch(() => undefined)
      if (!info) throw new JoeError('JOE1031', `"${p}" does not exist`, {hint: 'give two journey files, or two folders of journeys'})
      return info.isDirectory() ? 'folder' : 'file'
    }),
  )
  if (kinds[0] !== kinds[1]) {
    throw new JoeError('JOE5004', `"${oldPath}" is a ${kinds[0]} but "${newPath}" is a ${kinds[1]}`, {
      hint: 'compare two journey files, or two folders of journeys',
      exitCode: 2,
    })
  }
  const load = async (given: string, cfg: JoeConfig, side: string): Promise<JourneyFile[]> => {
    const absolute = path.resolve(options.cwd, given)
    const files =
      kinds[0] === 'file'
        ? [{absolute, display: displayPath(options.cwd, absolute)}]
        : (await discoverFiles([given], {cwd: options.cwd, root: cfg.root})).files.filter((f) => f.kind === 'journey')
    return requireValid(await Promise.all(files.map((f) => loadJourneyFile(f.display, f.absolute, cfg))), side)
  }
  // The template catalog does not change the model; `joe validate` checks it, the diff does not.
  const oldFiles = await load(oldPath, withoutCatalog(config), 'old')
  const newFiles = await load(newPath, withoutCatalog(config), 'new')
  if (kinds[0] === 'file') {
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
  const given = options.paths.length > 0
  const absolutes = given
    ? options.paths.map((p) => path.resolve(options.cwd, p))
    : config.journeys.map((p) => path.resolve(config.root, p))
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
  // The template catalog does not change the model; `joe validate` checks it, the diff does not.
  const modelConfig = withoutCatalog(config)
  const oldFiles = requireValid(
    await Promise.all(
      listed.map(async (file) =>
        loadJourneyText(displayPath(options.cwd, path.join(top, file)), await showFile(top, commit, file), modelConfig),
      ),
    ),
    ref,
  )

  // Paths that no longer exist in the working tree are fine: their journeys were removed.
  const present = await discoverFiles(
    absolutes.filter((a) => GLOB.test(a) || existsSync(a)),
    {cwd: options.cwd, root: config.root},
  )
  const newFiles = requireValid(
    await Promise.all(present.files.filter((f) => f.kind === 'journey').map((f) => loadJourneyFile(f.display, f.absolute, modelConfig))),
    'working tree',
  )
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
  return {diff: diffProjects(oldFiles, newFiles), old: byId(oldFiles), new: byId(newFiles), config, base: {ref, commit}}
}
