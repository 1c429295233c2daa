import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

const dir = path.resolve(import.meta.dirname, '../../schemas/output')

/** Every schema of schemas/output/, by file name without `.schema.json`. */
export function outputSchemaNames(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.schema.json'.length))
    .sort()
}

let ajv: InstanceType<typeof Ajv2020.default> | undefined

function compiler(): InstanceType<typeof Ajv2020.default> {
  if (ajv) return ajv
  ajv = new Ajv2020.default({strict: true, allErrors: true})
  addFormats.default(ajv)
  for (const name of outputSchemaNames()) ajv.addSchema(JSON.parse(readFileSync(path.join(dir, `${name}.schema.json`), 'utf8')) as object)
  return ajv
}

/** Throws, listing ajv's errors, unless `value` is valid against schemas/output/NAME.schema.json. */
export function assertOutput(name: string, value: unknown): void {
  const validate = compiler().getSchema(`https://joe.dev/schemas/output/${name}.schema.json`)
  if (!validate) throw new Error(`no output schema ${name}`)
  if (!validate(value))
    throw new Error(
      `${name} output does not match its schema: ${JSON.stringify(validate.errors, null, 1)}\n${JSON.stringify(value).slice(0, 2000)}`,
    )
}
