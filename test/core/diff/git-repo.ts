import {mkdir, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {tempProject} from '../../helpers/temp-project.js'

/** Identity and no user/system config, so tests behave the same on every machine. */
const ENV = {
  GIT_AUTHOR_NAME: 'joe test',
  GIT_AUTHOR_EMAIL: 'joe@example.com',
  GIT_COMMITTER_NAME: 'joe test',
  GIT_COMMITTER_EMAIL: 'joe@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
}

export interface Repo {
  dir: string
  git(...args: string[]): Promise<string>
  write(file: string, text: string): Promise<void>
  remove(file: string): Promise<void>
  /** `git add -A` and commit everything. */
  commit(message: string): Promise<void>
}

/** A real git repository in a temp folder, on branch `main`, with `files` committed. */
export async function gitRepo(files: Record<string, string>): Promise<Repo> {
  const dir = await tempProject(files)
  const git = async (...args: string[]) => (await execa('git', args, {cwd: dir, env: ENV})).stdout
  const repo: Repo = {
    dir,
    git,
    write: async (file, text) => {
      await mkdir(path.dirname(path.join(dir, file)), {recursive: true})
      await writeFile(path.join(dir, file), text)
    },
    remove: (file) => rm(path.join(dir, file)),
    commit: async (message) => {
      await git('add', '-A')
      await git('commit', '-q', '-m', message)
    },
  }
  await git('init', '-q', '-b', 'main')
  await repo.commit('initial journeys')
  return repo
}
