import {existsSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * The joe package's root folder. This file is `src/core/scaffold/paths.ts` in a
 * checkout and `dist/core/scaffold/paths.js` when built: three levels down either way.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The package name users install; the schema modeline points into its folder. */
export const PACKAGE_NAME = 'joe-cli'

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates')
export const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples')
export const JOURNEY_SCHEMA = path.join(PACKAGE_ROOT, 'schemas', 'journey.schema.json')

const MODELINE = /^# yaml-language-server: \$schema=.*$/m

/** Forward slashes, for paths written into files (YAML modelines, config). */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}

/**
 * The `$schema=` target for a journey file written into `journeyDir` of the
 * project at `projectRoot`. When this joe package lives inside the project (a
 * local `npm i -D joe-cli`, or the examples in joe's own repository), the real
 * relative path to its schema; otherwise where a local install would put it,
 * `node_modules/joe-cli/schemas/journey.schema.json`, so the file keeps working
 * once the project adds joe as a dev dependency.
 */
export function schemaRef(journeyDir: string, projectRoot: string): string {
  const root = path.resolve(projectRoot)
  const insideProject = !path.relative(root, PACKAGE_ROOT).startsWith('..') && !path.isAbsolute(path.relative(root, PACKAGE_ROOT))
  const target = insideProject ? JOURNEY_SCHEMA : path.join(root, 'node_modules', PACKAGE_NAME, 'schemas', 'journey.schema.json')
  return toPosix(path.relative(path.resolve(journeyDir), target))
}

/** Whether the schema a modeline written into `journeyDir` points at (schemaRef) exists: joe is installed in the project. */
export function schemaRefExists(journeyDir: string, projectRoot: string): boolean {
  return existsSync(path.resolve(journeyDir, schemaRef(journeyDir, projectRoot)))
}

/** Points the leading `# yaml-language-server: $schema=` modeline at `ref`; text without one is returned as is. */
export function rewriteModeline(text: string, ref: string): string {
  return text.replace(MODELINE, `# yaml-language-server: $schema=${ref}`)
}
