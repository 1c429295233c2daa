import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** The JSON Schemas shipped in the package's `schemas/` folder. */
export const SCHEMA_NAMES = ['journey', 'config', 'journey-test'] as const
export type SchemaName = (typeof SCHEMA_NAMES)[number]

// Both src/core/schemas.ts and dist/core/schemas.js sit two levels below the package root.
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Absolute path of a shipped schema file, e.g. `<root>/schemas/journey.schema.json`. */
export function schemaPath(name: SchemaName): string {
  return path.join(PACKAGE_ROOT, 'schemas', `${name}.schema.json`)
}

/** Reads and parses a shipped schema; a fresh object on every call, so callers may mutate it. */
export async function readSchema(name: SchemaName): Promise<object> {
  return JSON.parse(await readFile(schemaPath(name), 'utf8')) as object
}

/** Version of `joe schema --json` (schemas/output/schema.schema.json). */
export const SCHEMA_FORMAT_VERSION = 1

/** `joe schema --json`: which schema, and the schema itself (the text output is the schema alone). */
export interface SchemaResult {
  format_version: typeof SCHEMA_FORMAT_VERSION
  name: SchemaName
  schema: object
}

export async function schemaResult(name: SchemaName): Promise<SchemaResult> {
  return {format_version: SCHEMA_FORMAT_VERSION, name, schema: await readSchema(name)}
}
