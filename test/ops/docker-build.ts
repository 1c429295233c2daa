// The Dockerfile read as Docker reads it, for checks that need no container engine: its stages and
// their instructions (dockerfile-ast, the parser of VS Code's Docker support), the build context
// after .dockerignore (moby's pattern rules), and a build of the image as a folder: each stage's
// COPY done with files, its RUN steps run as the same commands on this machine.
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync} from 'node:fs'
import path from 'node:path'
import {DockerfileParser, type Instruction} from 'dockerfile-ast'

export const ROOT = path.resolve(import.meta.dirname, '../..')

export interface Step {
  keyword: string
  args: string[]
  flags: Record<string, string>
  /** ENTRYPOINT, CMD, and HEALTHCHECK's command in exec form: the JSON array. */
  json?: string[]
  line: number
}

export interface Stage {
  name: string
  /** The image or earlier stage it starts from. */
  from: string
  /** The working folder it starts in (inherited from the stage it starts from). */
  workdir: string
  steps: Step[]
}

function stepOf(ins: Instruction): Step {
  const keyword = ins.getKeyword()
  const args = ins.getArguments().map((a) => a.getValue())
  const withFlags = ins as Instruction & {getFlags?: () => Array<{getName(): string; getValue(): string | null}>}
  const flags = Object.fromEntries((withFlags.getFlags?.() ?? []).map((f) => [f.getName(), f.getValue() ?? '']))
  const step: Step = {keyword, args, flags, line: ins.getRange().start.line + 1}
  if (keyword === 'ENTRYPOINT' || keyword === 'CMD') step.json = JSON.parse(args.join(' '))
  if (keyword === 'HEALTHCHECK' && args[0] === 'CMD') step.json = JSON.parse(args.slice(1).join(' '))
  return step
}

export function readStages(file = path.join(ROOT, 'Dockerfile')): Stage[] {
  const stages: Stage[] = []
  for (const ins of DockerfileParser.parse(readFileSync(file, 'utf8')).getInstructions()) {
    const step = stepOf(ins)
    if (step.keyword === 'FROM') {
      const from = step.args[0] as string
      const base = stages.find((s) => s.name === from)
      const workdir = base ? finalWorkdir(base) : '/'
      stages.push({name: step.args[2] ?? String(stages.length), from, workdir, steps: []})
    } else stages.at(-1)?.steps.push(step)
  }
  return stages
}

function finalWorkdir(stage: Stage): string {
  let workdir = stage.workdir
  for (const step of stage.steps) if (step.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, step.args[0] as string)
  return workdir
}

/** A COPY step's sources and destination (relative destinations resolved against the WORKDIR then). */
export function copiesOf(stage: Stage): Array<{from?: string; sources: string[]; dest: string; line: number}> {
  let workdir = stage.workdir
  const copies = []
  for (const step of stage.steps) {
    if (step.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, step.args[0] as string)
    if (step.keyword !== 'COPY') continue
    const dest = step.args.at(-1) as string
    const absolute = path.posix.resolve(workdir, dest) + (dest.endsWith('/') ? '/' : '')
    copies.push({...(step.flags.from ? {from: step.flags.from} : {}), sources: step.args.slice(0, -1), dest: absolute, line: step.line})
  }
  return copies
}

/** moby/patternmatcher: `*`, `?`, `**`, `[...]`; a pattern matches a path or any folder above it; the last match wins. */
export function dockerignore(text: string): {ignored(relative: string): boolean; mayInclude(folder: string): boolean} {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!')
      const pattern = path.posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+/, '')
      return {negated, pattern, re: patternRegExp(pattern)}
    })
  const ignored = (relative: string) => {
    const parts = relative.split('/')
    let excluded = false
    for (const rule of rules) {
      for (let i = 1; i <= parts.length; i++) {
        if (rule.re.test(parts.slice(0, i).join('/'))) {
          excluded = !rule.negated
          break
        }
      }
    }
    return excluded
  }
  return {
    ignored,
    /** Whether anything under an excluded folder may be let through again by a `!pattern`. */
    mayInclude: (folder) =>
      !ignored(folder) || rules.some((rule) => rule.negated && (rule.pattern.startsWith(`${folder}/`) || rule.pattern.startsWith('*'))),
  }
}

function patternRegExp(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` is any number of folders (none included); a trailing `**` is anything.
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?'
        i += 2
      } else {
        re += '.*'
        i++
      }
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i)
      re += pattern.slice(i, end + 1).replace(/^\[!/, '[^')
      i = end
    } else if (c === '\\') re += `\\${pattern[++i] ?? ''}`
    else re += c.replace(/[.+^${}()|]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** The build context: every file under the root that .dockerignore lets through (relative paths). */
export function contextFiles(root = ROOT): string[] {
  const rules = dockerignore(readFileSync(path.join(root, '.dockerignore'), 'utf8'))
  const files: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), {withFileTypes: true})) {
      const relative = dir === '' ? entry.name : `${dir}/${entry.name}`
      if (entry.isDirectory()) {
        if (rules.mayInclude(relative)) walk(relative)
      } else if (entry.isFile() && !rules.ignored(relative)) files.push(relative)
    }
  }
  walk('')
  return files
}

/** The context files a COPY source names (a file, or everything under a folder). */
export function filesOf(source: string, context: string[]): string[] {
  const clean = path.posix.normalize(source).replace(/\/$/, '')
  return context.filter((file) => file === clean || file.startsWith(`${clean}/`))
}

/** The packages `npm install --omit=dev` installs: the top folders of `npm ls --omit=dev --all --parseable`. */
export function productionPackages(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024})
  const modules = path.join(ROOT, 'node_modules') + path.sep
  return [
    ...new Set(
      out
        .split('\n')
        .filter((line) => line.startsWith(modules))
        .map((line) => {
          const [first, second] = line.slice(modules.length).split(path.sep)
          return first?.startsWith('@') ? `${first}/${second}` : (first as string)
        }),
    ),
  ].sort()
}

/**
 * Builds the image as folders under `into`, one per stage (`into/STAGE/...` mirrors the stage's file
 * system): COPY copies files from the context or an earlier stage; the RUN steps run as the same
 * commands, except those that fetch from the network, which are done from this checkout's
 * node_modules: `npm install` links all of it, `npm install --omit=dev` only the production
 * packages (run such a tree with node --preserve-symlinks, so nothing else resolves). A RUN step
 * this function does not know fails the build: whoever adds one teaches it here.
 */
export function buildAsFolders(into: string, options: {context?: string[]; run?: (command: string, cwd: string) => void} = {}): void {
  const context = options.context ?? contextFiles()
  const stages = readStages()
  const stageRoot = (name: string) => path.join(into, name)
  for (const stage of stages) {
    const root = stageRoot(stage.name)
    const base = stages.find((s) => s.name === stage.from)
    if (base) cpSync(stageRoot(base.name), root, {recursive: true, verbatimSymlinks: true})
    else mkdirSync(root, {recursive: true})
    let workdir = stage.workdir
    for (const step of stage.steps) {
      const inside = (p: string) => path.join(root, path.posix.resolve(workdir, p))
      if (step.keyword === 'WORKDIR') {
        workdir = path.posix.resolve(workdir, step.args[0] as string)
        mkdirSync(inside('.'), {recursive: true})
      } else if (step.keyword === 'COPY') {
        const dest = step.args.at(-1) as string
        for (const source of step.args.slice(0, -1)) {
          const target = dest.endsWith('/') ? path.join(inside(dest), path.posix.basename(source)) : inside(dest)
          if (step.flags.from) {
            cpSync(path.join(stageRoot(step.flags.from), source), target, {recursive: true, verbatimSymlinks: true})
            continue
          }
          const files = filesOf(source, context)
          if (files.length === 0) throw new Error(`Dockerfile:${step.line}: COPY ${source}: nothing in the build context`)
          for (const file of files) {
            const relative = file === source ? '' : path.posix.relative(source.replace(/\/$/, ''), file)
            const to = relative === '' ? target : path.join(target, relative)
            mkdirSync(path.dirname(to), {recursive: true})
            cpSync(path.join(ROOT, file), to)
          }
        }
      } else if (step.keyword === 'RUN') {
        runStep(step, root, path.join(root, workdir), options.run)
      }
    }
  }
}

function runStep(step: Step, root: string, cwd: string, run: ((command: string, cwd: string) => void) | undefined): void {
  const command = step.args.join(' ')
  if (command.startsWith('apt-get update')) return // the toolchain (python3, make, g++): this machine has it
  if (command === 'npm install --no-audit --no-fund') {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(cwd, 'node_modules'))
    return
  }
  if (command === 'npm install --omit=dev --no-audit --no-fund') {
    for (const name of productionPackages()) {
      const link = path.join(cwd, 'node_modules', name)
      mkdirSync(path.dirname(link), {recursive: true})
      symlinkSync(path.join(ROOT, 'node_modules', name), link)
    }
    return
  }
  if (command === 'npm run build') {
    ;(run ?? ((c, dir) => execFileSync('sh', ['-c', c], {cwd: dir, stdio: 'pipe'})))(command, cwd)
    return
  }
  if (/^mkdir -p [/\w ]+ && chown node:node [/\w ]+$/.test(command)) {
    const [dirs] = command.slice('mkdir -p '.length).split(' && ')
    for (const dir of (dirs as string).split(' ')) mkdirSync(path.join(root, dir), {recursive: true})
    return
  }
  throw new Error(`Dockerfile:${step.line}: RUN ${command}: not a step this build knows (test/ops/docker-build.ts)`)
}

export function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile()
}
