import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import type {ErrorObject, ValidateFunction} from 'ajv'
import type {Diagnostic} from '../errors.js'
import {schemaPath} from '../schemas.js'
import type {SourceFile, YamlPath} from './source.js'
import {didYouMean} from './suggest.js'

export type SchemaName = 'journey' | 'config' | 'journey-test'

/**
 * How joe's schemas are compiled. The error mapper below relies on `allErrors`
 * (every problem in one run) and `verbose` (`error.parentSchema`, `error.data`).
 * scripts/build-validators.js generates the standalone validators with these too.
 */
export const SCHEMA_VALIDATOR_OPTIONS = {allErrors: true, verbose: true, strict: false} as const

// Lazy, synchronous loading: a command pays for a validator (and ajv) only when it checks a file of that kind.
const requireCjs = createRequire(import.meta.url)

/** What scripts/build-validators.js writes: ajv standalone code plus the schema text it was compiled from. */
interface PrecompiledValidator {
  default: ValidateFunction
  schemaText: string
}

const validators = new Map<SchemaName, ValidateFunction>()

function validatorFor(name: SchemaName): ValidateFunction {
  let validate = validators.get(name)
  if (!validate) {
    const schemaText = readFileSync(schemaPath(name), 'utf8')
    validate = precompiledValidator(name, schemaText) ?? compileValidator(schemaText)
    validators.set(name, validate)
  }
  return validate
}

/**
 * The build's standalone validator (dist/generated/<name>.validator.cjs; this file is
 * dist/core/journey/schema-check.js), so no schema is compiled at run time. Undefined
 * when there is none, as when running from src/ (tests), or when the schema changed since the build.
 */
function precompiledValidator(name: SchemaName, schemaText: string): ValidateFunction | undefined {
  const file = fileURLToPath(new URL(`../../generated/${name}.validator.cjs`, import.meta.url))
  if (!existsSync(file)) return undefined
  const generated = requireCjs(file) as PrecompiledValidator
  return generated.schemaText === schemaText ? generated.default : undefined
}

function compileValidator(schemaText: string): ValidateFunction {
  const {default: Ajv2020} = requireCjs('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')
  return new Ajv2020(SCHEMA_VALIDATOR_OPTIONS).compile(JSON.parse(schemaText) as object)
}

/** Validates a parsed file against one of joe's JSON Schemas; every violation becomes a located diagnostic. */
export function validateAgainstSchema(name: SchemaName, source: SourceFile): Diagnostic[] {
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    return [
      {
        code: 'JOE1008',
        severity: 'error',
        message: `the document is ${Array.isArray(source.value) ? 'a list' : `a ${source.value === null ? 'null' : typeof source.value}`}, not a mapping of keys to values`,
        hint:
          name === 'config'
            ? 'a config file is a mapping such as `journeys: journeys`'
            : 'start the file with `version: 1`, `id: ...` and so on',
        location: source.locate([]),
      },
    ]
  }
  const validate = validatorFor(name)
  if (validate(source.value)) return []
  return mapAjvErrors(validate.errors ?? [], source)
}

function toPath(instancePath: string): YamlPath {
  if (instancePath === '') return []
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
}

function describePath(path: YamlPath): string {
  if (path.length === 0) return 'the top level'
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

const STEP_ACTIONS = ['wait', 'wait_for', 'branch', 'split', 'send', 'update']
const ENTRY_KINDS = ['event', 'segment', 'schedule']

function mapAjvErrors(errors: ErrorObject[], source: SourceFile): Diagnostic[] {
  // Alternatives (oneOf/anyOf) produce one error per failing branch; report the alternative once instead.
  const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
  const insideAlternative = (e: ErrorObject) =>
    alternatives.some((alt) => alt !== e && e.instancePath === alt.instancePath && e.schemaPath.startsWith(`${alt.schemaPath}/`))
  const out: Diagnostic[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    if (insideAlternative(error)) continue
    const diagnostic = mapOne(error, source)
    if (!diagnostic) continue
    const key = `${diagnostic.code}|${diagnostic.location.line}|${diagnostic.location.column}|${diagnostic.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(diagnostic)
  }
  return out
}

function mapOne(error: ErrorObject, source: SourceFile): Diagnostic | undefined {
  const path = toPath(error.instancePath)
  const where = describePath(path)
  const last = path[path.length - 1]
  const params = error.params as Record<string, unknown>
  const parentProperties = Object.keys(((error.parentSchema ?? {}) as {properties?: object}).properties ?? {})
  const make = (code: string, message: string, hint: string | undefined, at = source.locate(path, {key: true})): Diagnostic => ({
    code,
    severity: 'error',
    message,
    ...(hint ? {hint} : {}),
    location: at,
  })
  switch (error.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty)
      const allowed = parentProperties.filter((p) => p !== '$schema')
      return make(
        'JOE1010',
        `unknown key "${key}" in ${where}`,
        `${didYouMean(key, allowed)}allowed keys here: ${allowed.join(', ')}`,
        source.locate([...path, key], {key: true}),
      )
    }
    case 'required': {
      const missing = String(params.missingProperty)
      if (missing === 'else' && last === 'branch') {
        return make(
          'JOE2008',
          `branch in ${where} has no "else"`,
          'add `else: STEP_ID` (or `else: end`) so customers who match no case still go somewhere',
        )
      }
      return make('JOE1011', `missing required key "${missing}" in ${where}`, `add \`${missing}:\` to ${where}`)
    }
    case 'dependentRequired':
      return make(
        'JOE1011',
        `"${String(params.property)}" in ${where} needs "${String(params.missingProperty)}"`,
        `add \`${String(params.missingProperty)}:\` or remove \`${String(params.property)}\``,
      )
    case 'oneOf':
    case 'anyOf':
      return mapAlternative(error, path, where, make)
    case 'type':
      return make('JOE1012', `${where} must be ${article(String(params.type))}`, undefined, source.locate(path))
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String)
      const value = String(error.data)
      return make(
        'JOE1013',
        `${where} is "${value}", which is not allowed`,
        `${didYouMean(value, allowed)}use one of: ${allowed.join(', ')}`,
        source.locate(path),
      )
    }
    case 'const':
      if (last === 'version')
        return make(
          'JOE1014',
          `format version must be 1, not ${JSON.stringify(error.data)}`,
          'set `version: 1`; this joe reads format version 1',
          source.locate(path),
        )
      return make('JOE1013', `${where} must be ${JSON.stringify(params.allowedValue)}`, undefined, source.locate(path))
    case 'pattern':
      return make(
        'JOE1014',
        `${where} is "${String(error.data)}", which is not ${patternName(path, String(params.pattern))}`,
        patternHint(path, String(params.pattern)),
        source.locate(path),
      )
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      if (last === 'holdout')
        return make(
          'JOE2040',
          `settings.holdout is ${String(error.data)}; it must be a percent from 0 to 50`,
          'keep at most half of the entrants as a control group, e.g. `holdout: 10`',
          source.locate(path),
        )
      return make('JOE1016', `${where} is ${String(error.data)}; it ${error.message ?? 'is out of range'}`, undefined, source.locate(path))
    }
    case 'minItems':
      if (last === 'steps')
        return make(
          'JOE1016',
          'a journey needs at least one step',
          'add a step under `steps:`, e.g. `- id: welcome` with `send: {channel: email, template: welcome-1}`',
          source.locate(path),
        )
      return make(
        'JOE1016',
        `${where} needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`,
        undefined,
        source.locate(path),
      )
    case 'minLength':
      return make('JOE1014', `${where} must not be empty`, undefined, source.locate(path))
    default:
      return make('JOE1017', `${where} ${error.message ?? 'is invalid'}`, undefined, source.locate(path))
  }
}

function mapAlternative(
  error: ErrorObject,
  path: YamlPath,
  where: string,
  make: (code: string, message: string, hint: string | undefined) => Diagnostic,
): Diagnostic {
  const value = (error.data ?? {}) as Record<string, unknown>
  const keys = typeof value === 'object' && value !== null ? Object.keys(value) : []
  const isStep = path.length === 2 && path[0] === 'steps'
  const isEntry = path.length === 1 && path[0] === 'entry'
  if (isStep || isEntry) {
    const kinds = isStep ? STEP_ACTIONS : ENTRY_KINDS
    const present = keys.filter((k) => kinds.includes(k))
    const what = isStep ? `step${typeof value.id === 'string' ? ` "${value.id}"` : ''}` : 'entry'
    const list = kinds.join(', ')
    if (present.length > 1)
      return make(
        'JOE1015',
        `${what} has ${present.map((k) => `"${k}"`).join(' and ')}; it needs exactly one of ${list}`,
        `split it into ${present.length} ${isStep ? 'steps' : 'journeys'}, or remove the extra keys`,
      )
    const typo = keys.map((k) => didYouMean(k, kinds)).find((s) => s !== '')
    return make('JOE1015', `${what} has none of ${list}`, `${typo ?? ''}add exactly one of: ${list}`)
  }
  if (path[0] === 'exit')
    return make(
      'JOE1011',
      `exit criterion ${where} needs "event" or "when"`,
      'write `- event: order_completed` or `- when: "profile.unsubscribed == true"`',
    )
  return make('JOE1017', `${where} does not match any allowed form`, undefined)
}

function article(type: string): string {
  const words: Record<string, string> = {
    object: 'a mapping (key: value)',
    array: 'a list',
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
  }
  return type
    .split(',')
    .map((t) => words[t] ?? t)
    .join(' or ')
}

function patternName(path: YamlPath, pattern: string): string {
  // positiveDuration in config.schema.json: short forms only, above zero.
  if (pattern.startsWith('^0*[1-9]') && pattern.includes('smhdw')) return 'a duration above zero'
  if (pattern.includes('smhdw')) return 'a duration'
  if (pattern.includes(':[0-5]')) return 'a time of day (HH:MM)'
  if (path.includes('id') || pattern.includes('a-z0-9-')) return 'a valid id'
  return 'in the expected form'
}

function patternHint(path: YamlPath, pattern: string): string {
  const name = patternName(path, pattern)
  if (name === 'a duration above zero') return 'write it as <integer><s|m|h|d|w> above zero, e.g. 30s or 2m'
  if (name === 'a duration') return 'write durations as <integer><s|m|h|d|w> (e.g. 90m, 2d) or ISO 8601 (PT90M, P2D)'
  if (name === 'a time of day (HH:MM)') return 'use 24-hour time with two digits, e.g. "08:00" or "21:30" (quote it in YAML)'
  if (name === 'a valid id')
    return 'ids are lowercase letters, digits and dashes, start with a letter, at most 63 characters (e.g. cart-abandonment); a reference may also be `end`'
  return `it must match ${pattern}`
}
