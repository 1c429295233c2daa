import {describe, expect, it} from 'vitest'
import {readSchema, SCHEMA_NAMES} from '../../src/core/schemas.js'

const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'] as const
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const
const SCHEMA_SINGLES = ['items', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else', 'contains'] as const

function hasDescription(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && typeof (schema as {description?: unknown}).description === 'string'
}

/**
 * JSON pointers of every property schema (and additionalProperties value schema) that lacks
 * a description. Walks schema keywords only, so `examples`, `default` or a property that is
 * itself called "properties" are not mistaken for schemas.
 */
function undescribed(schema: unknown, pointer = '#'): string[] {
  if (schema === null || typeof schema !== 'object') return []
  const obj = schema as Record<string, unknown>
  const missing: string[] = []
  for (const keyword of SCHEMA_MAPS) {
    const map = obj[keyword] as Record<string, unknown> | undefined
    for (const [key, sub] of Object.entries(map ?? {})) {
      // A bare `true` only marks a key in the oneOf/anyOf branches that enforce "exactly one"
      // (ajv's strictRequired wants it); the real property schema is the parent's.
      if (keyword === 'properties' && sub !== true && !hasDescription(sub)) missing.push(`${pointer}/properties/${key}`)
      missing.push(...undescribed(sub, `${pointer}/${keyword}/${key}`))
    }
  }
  for (const keyword of SCHEMA_LISTS) {
    const list = (obj[keyword] as unknown[] | undefined) ?? []
    list.forEach((sub, i) => {
      missing.push(...undescribed(sub, `${pointer}/${keyword}/${i}`))
    })
  }
  for (const keyword of SCHEMA_SINGLES) missing.push(...undescribed(obj[keyword], `${pointer}/${keyword}`))
  const additional = obj.additionalProperties
  if (typeof additional === 'object' && additional !== null && !hasDescription(additional)) missing.push(`${pointer}/additionalProperties`)
  return missing
}

describe('schema descriptions', () => {
  it.each(SCHEMA_NAMES)('every property of the %s schema has a description', async (name) => {
    const schema = (await readSchema(name)) as {title?: unknown; description?: unknown}
    expect(typeof schema.title).toBe('string')
    expect(typeof schema.description).toBe('string')
    expect(undescribed(schema)).toEqual([])
  })

  it('finds a missing description', () => {
    const schema = {
      $defs: {x: {properties: {properties: {type: 'object'}}}},
      properties: {a: {type: 'string'}, b: {description: 'x', examples: [{properties: {}}]}},
    }
    expect(undescribed(schema).sort()).toEqual(['#/$defs/x/properties/properties', '#/properties/a'])
  })
})
