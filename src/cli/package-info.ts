import {readFile} from 'node:fs/promises'

/** Root of the installed package (dist/cli and src/cli are both two levels down). */
export const PACKAGE_ROOT = new URL('../../', import.meta.url)

export async function readPackageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('package.json', PACKAGE_ROOT), 'utf8')) as {version: string}
  return pkg.version
}
