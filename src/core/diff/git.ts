import {execa} from 'execa'
import {JoeError} from '../errors.js'

/**
 * The few git reads the differ needs, through the git binary. Paths given to and
 * returned by these functions are relative to the repository's top level, with `/`.
 */

async function git(cwd: string, args: string[]): Promise<{stdout: string; stderr: string; exitCode: number}> {
  try {
    const result = await execa('git', args, {cwd, reject: false, stripFinalNewline: false, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
    if (result.failed && result.exitCode === undefined) throw result
    return {stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? 1}
  } catch (cause) {
    throw new JoeError('JOE5005', `cannot run git: ${(cause as Error).message.split('\n')[0]}`, {
      hint: 'install git and make sure it is on the PATH',
      cause,
    })
  }
}

/** The repository's top-level folder (absolute). */
export async function gitTopLevel(cwd: string): Promise<string> {
  const result = await git(cwd, ['rev-parse', '--show-toplevel'])
  if (result.exitCode !== 0) {
    throw new JoeError('JOE5001', `${cwd} is not inside a git repository`, {
      hint: '`--base REF` compares with a git ref; outside git, compare two files with `joe diff OLD NEW`',
    })
  }
  return result.stdout.trim()
}

/** The commit a ref names (branch, tag, `origin/main`, `HEAD~1`, a sha). */
export async function resolveCommit(top: string, ref: string): Promise<string> {
  const result = ref.startsWith('-')
    ? undefined
    : await git(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
  if (result?.exitCode !== 0) {
    const shallow = (await git(top, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true'
    throw new JoeError('JOE5002', `"${ref}" is not a commit, branch or tag in this repository`, {
      hint: shallow
        ? 'this is a shallow clone; fetch the base (in GitHub Actions: `actions/checkout` with `fetch-depth: 0`)'
        : 'check the name with `git branch -a`; for a remote branch fetch it first (`git fetch origin main`) and use `origin/main`',
    })
  }
  return result.stdout.trim()
}

/** Every file under `pathspecs` at `commit`. */
export async function listFilesAt(top: string, commit: string, pathspecs: readonly string[]): Promise<string[]> {
  if (pathspecs.length === 0) return []
  const result = await git(top, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit, '--', ...pathspecs])
  if (result.exitCode !== 0) throw new JoeError('JOE5005', `git ls-tree failed: ${result.stderr.trim()}`)
  return result.stdout.split('\0').filter((p) => p.length > 0)
}

/** A file's text at `commit`. */
export async function showFile(top: string, commit: string, file: string): Promise<string> {
  const result = await git(top, ['show', `${commit}:${file}`])
  if (result.exitCode !== 0) throw new JoeError('JOE5005', `git show ${commit}:${file} failed: ${result.stderr.trim()}`)
  return result.stdout
}
