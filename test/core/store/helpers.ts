import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach} from 'vitest'

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/store')
export const NOW = Date.UTC(2026, 2, 10)

const dirs: string[] = []

/** A fresh temp folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'joe-store-'))
  dirs.push(dir)
  return dir
}

afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, {recursive: true, force: true})
})

export function fixture(name: string): string {
  return join(FIXTURES, name)
}
