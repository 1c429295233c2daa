import os from 'node:os'
import type {Actor} from './deploy-types.js'

/** Marks a commit whose deployed files had uncommitted changes, as `git describe --dirty` does. */
export const DIRTY_SUFFIX = '-dirty'

/**
 * Who is deploying: git config user.name / user.email, and the HEAD commit of the project,
 * read with git in `cwd`. Without git (or outside a repository) the OS user name, and no commit.
 * When any of `sources` (paths or globs relative to `cwd`: the journeys and the config) has
 * uncommitted changes or untracked files, the commit is recorded as `<sha>-dirty`: what was
 * deployed is not what that commit holds.
 */
export async function currentActor(cwd: string, sources: readonly string[] = []): Promise<Actor> {
  const {execa} = await import('execa')
  const git = async (args: string[]): Promise<string | undefined> => {
    try {
      const {stdout, exitCode} = await execa('git', args, {cwd, reject: false, timeout: 5000})
      return exitCode === 0 && stdout.trim() !== '' ? stdout.trim() : undefined
    } catch {
      return undefined
    }
  }
  const pathspecs = sources.map((source) => `:(glob)${source}`)
  const [name, email, head, changes] = await Promise.all([
    git(['config', 'user.name']),
    git(['config', 'user.email']),
    git(['rev-parse', 'HEAD']),
    pathspecs.length > 0 ? git(['status', '--porcelain', '--untracked-files=all', '--', ...pathspecs]) : undefined,
  ])
  const commit = head !== undefined && changes !== undefined ? `${head}${DIRTY_SUFFIX}` : head
  return {
    name: name ?? safeUserName(),
    ...(email ? {email} : {}),
    ...(commit ? {commit} : {}),
  }
}

function safeUserName(): string {
  try {
    return os.userInfo().username
  } catch {
    return 'unknown'
  }
}

/** The who/when/why columns every ledger entry carries. */
export function provenance(
  actor: Actor,
  at: number,
  message: string | undefined,
): {actor: string; actorEmail: string | null; at: number; gitCommit: string | null; message: string | null} {
  return {actor: actor.name, actorEmail: actor.email ?? null, at, gitCommit: actor.commit ?? null, message: message ?? null}
}
