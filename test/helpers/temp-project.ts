import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** Writes `files` (relative path -> content) into a fresh temp folder and returns its path. */
export async function tempProject(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'joe-test-'))
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name)
    await mkdir(path.dirname(file), {recursive: true})
    await writeFile(file, content)
  }
  return dir
}
