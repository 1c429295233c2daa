import os from 'node:os'
import type {Actor} from './deploy-types.js'

/**
 * Who is deploying: git config user.name / user.email, and the HEAD commit of the project,
 * read with git in `cwd`. Without git (or outside a repository) the OS user name, and no commit.
 */
export async function currentActor(cwd: string): Promise<Actor> {
  const {execa} = await import('execa')
  const git = async (args: string[]): Promise<string | undefined> => {
    try {
      const {stdout, exitCode} = await execa('git', args, {cwd, reject: false, timeout: 5000})
      return exitCode === 0 && stdout.trim() !== '' ? stdout.trim() : undefined
    } catch {
      return undefined
    }
  }
  const [name, email, commit] = await Promise.all([git(['config', 'user.name']), git(['config', 'user.email']), git(['rev-parse', 'HEAD'])])
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
