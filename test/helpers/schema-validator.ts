import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import {parse} from 'yaml'
import {readSchema, type SchemaName} from '../../src/core/schemas.js'

// biome-ignore lint/suspicious/noExplicitAny: test documents are YAML edited freely at any depth
export type Doc = Record<string, any>

export type Validate = ((data: unknown) => boolean) & {errors?: Array<{keyword: string; instancePath: string; params: object}> | null}

/** One of joe's schemas compiled as editors and the validator see it (strict, all errors). */
export async function compileSchema(name: SchemaName): Promise<Validate> {
  const ajv = new Ajv2020.default({strict: true, allErrors: true})
  addFormats.default(ajv)
  return ajv.compile(await readSchema(name)) as Validate
}

/** A copy of the YAML `example`, changed by `edit`. */
export function editedCopy(example: string, edit: (doc: Doc) => void): unknown {
  const doc = parse(example) as Doc
  edit(doc)
  return doc
}
