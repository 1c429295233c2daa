/** CEL types as joe's checker sees them, and the algebra over them (comparability, arithmetic, wording). */

export type Scalar = 'dyn' | 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null' | 'timestamp' | 'duration' | 'type'

export type Ty =
  | {kind: Scalar}
  | {kind: 'list'; elem: Ty}
  | {kind: 'map'; value: Ty}
  | {kind: 'object'; name: string; fields: ReadonlyMap<string, Ty>; hint: string}

export const DYN: Ty = {kind: 'dyn'}
export const BOOL: Ty = {kind: 'bool'}
export const INT: Ty = {kind: 'int'}
export const UINT: Ty = {kind: 'uint'}
export const DOUBLE: Ty = {kind: 'double'}
export const STRING: Ty = {kind: 'string'}
export const BYTES: Ty = {kind: 'bytes'}
export const NULL: Ty = {kind: 'null'}
export const TIMESTAMP: Ty = {kind: 'timestamp'}
export const DURATION: Ty = {kind: 'duration'}
export const TYPE: Ty = {kind: 'type'}

export const VARIABLE_TYPES: Record<string, Ty> = {
  event: {
    kind: 'object',
    name: 'event',
    fields: new Map<string, Ty>([
      ['type', STRING],
      ['timestamp', TIMESTAMP],
      ['properties', {kind: 'map', value: DYN}],
    ]),
    hint: "event fields: type, timestamp, properties (the event's own data is under event.properties)",
  },
  journey: {
    kind: 'object',
    name: 'journey',
    fields: new Map<string, Ty>([
      ['id', STRING],
      ['entered_at', TIMESTAMP],
    ]),
    hint: 'journey fields: id, entered_at',
  },
  profile: {kind: 'map', value: DYN},
  now: TIMESTAMP,
  channel: STRING,
}

/** Identifiers that name types, e.g. `type(x) == int`. */
export const TYPE_IDENTS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn'])

export const MACROS = new Set(['has', 'all', 'exists', 'exists_one', 'map', 'filter'])

export const RESULT_TYPES: Record<string, Ty> = {
  size: INT,
  int: INT,
  uint: UINT,
  double: DOUBLE,
  string: STRING,
  bool: BOOL,
  bytes: BYTES,
  timestamp: TIMESTAMP,
  duration: DURATION,
  type: TYPE,
  contains: BOOL,
  startsWith: BOOL,
  endsWith: BOOL,
  matches: BOOL,
  charAt: STRING,
  lowerAscii: STRING,
  upperAscii: STRING,
  replace: STRING,
  substring: STRING,
  trim: STRING,
  format: STRING,
  join: STRING,
  'strings.quote': STRING,
  indexOf: INT,
  lastIndexOf: INT,
  split: {kind: 'list', elem: STRING},
}

export const STRING_METHODS = new Set([
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'charAt',
  'lowerAscii',
  'upperAscii',
  'replace',
  'substring',
  'trim',
  'format',
  'indexOf',
  'lastIndexOf',
  'split',
])

export const TIME_METHODS = /^get[A-Z]/

export function constType(kind: string | undefined): Ty {
  switch (kind) {
    case 'nullValue':
      return NULL
    case 'boolValue':
      return BOOL
    case 'int64Value':
      return INT
    case 'uint64Value':
      return UINT
    case 'doubleValue':
      return DOUBLE
    case 'stringValue':
      return STRING
    case 'bytesValue':
      return BYTES
    default:
      return DYN
  }
}

export function isDefinite(t: Ty): boolean {
  return t.kind !== 'dyn'
}

export function isNumeric(t: Ty): boolean {
  return t.kind === 'int' || t.kind === 'uint' || t.kind === 'double'
}

export function shape(t: Ty): string {
  return t.kind === 'object' ? 'map' : t.kind
}

export function join(a: Ty, b: Ty): Ty {
  if (a.kind === 'list' && b.kind === 'list') return {kind: 'list', elem: join(a.elem, b.elem)}
  if (a.kind === 'map' && b.kind === 'map') return {kind: 'map', value: join(a.value, b.value)}
  if (a.kind === 'object' && b.kind === 'object') return a.name === b.name ? a : DYN
  return a.kind === b.kind ? a : DYN
}

export function equalityComparable(a: Ty, b: Ty): boolean {
  if (!isDefinite(a) || !isDefinite(b) || a.kind === 'null' || b.kind === 'null') return true
  if (isNumeric(a) && isNumeric(b)) return true
  return shape(a) === shape(b)
}

export const ORDERED = new Set(['dyn', 'int', 'uint', 'double', 'string', 'bool', 'bytes', 'timestamp', 'duration'])

export function orderComparable(a: Ty, b: Ty): boolean {
  if (!ORDERED.has(a.kind) || !ORDERED.has(b.kind)) return false
  if (!isDefinite(a) || !isDefinite(b)) return true
  if (isNumeric(a) && isNumeric(b)) return true
  return a.kind === b.kind
}

/** The result type of an arithmetic operator, or undefined when no overload can apply. */
export function arithmetic(fn: string, a: Ty, b: Ty): Ty | undefined {
  if (!isDefinite(a) || !isDefinite(b)) {
    const known = isDefinite(a) ? a : b
    if (isDefinite(known)) {
      const fits =
        isNumeric(known) ||
        (fn === '_+_' && ['string', 'bytes', 'list', 'timestamp', 'duration'].includes(known.kind)) ||
        (fn === '_-_' && (known.kind === 'timestamp' || known.kind === 'duration'))
      if (!fits) return undefined
    }
    return DYN
  }
  if (isNumeric(a) && isNumeric(b)) {
    if (a.kind === b.kind) return fn === '_%_' && a.kind === 'double' ? undefined : a
    if (fn === '_%_') return undefined
    // Mixed int/double is supported by joe's extra overloads; uint mixes are left to run time.
    return a.kind === 'uint' || b.kind === 'uint' ? DYN : DOUBLE
  }
  const pair = `${a.kind},${b.kind}`
  if (fn === '_+_') {
    if (a.kind === 'list' && b.kind === 'list') return join(a, b)
    const plus: Record<string, Ty> = {
      'string,string': STRING,
      'bytes,bytes': BYTES,
      'timestamp,duration': TIMESTAMP,
      'duration,timestamp': TIMESTAMP,
      'duration,duration': DURATION,
    }
    return plus[pair]
  }
  if (fn === '_-_') {
    const minus: Record<string, Ty> = {
      'timestamp,timestamp': DURATION,
      'timestamp,duration': TIMESTAMP,
      'duration,duration': DURATION,
    }
    return minus[pair]
  }
  return undefined
}

export function article(t: Ty): string {
  switch (t.kind) {
    case 'int':
      return 'an int'
    case 'uint':
      return 'a uint'
    case 'object':
      return 'a map'
    case 'dyn':
      return 'a value'
    case 'null':
      return 'null'
    default:
      return `a ${t.kind}`
  }
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

export function conditionHint(t: Ty): string | undefined {
  if (t.kind === 'string') return 'compare it with something, e.g. event.type == "cart_updated"'
  if (isNumeric(t)) return 'compare it with something, e.g. event.properties.cart_value > 50'
  if (t.kind === 'timestamp') return 'compare it, e.g. now - event.timestamp > duration("1h")'
  return undefined
}

export function mismatchHint(a: Ty, b: Ty): string | undefined {
  const kinds = new Set([a.kind, b.kind])
  if (kinds.has('timestamp') && (kinds.has('int') || kinds.has('double') || kinds.has('string'))) {
    return 'compare timestamps with timestamp("2026-01-01T00:00:00Z"), or time spans with duration("1h")'
  }
  if (kinds.has('string') && (isNumeric(a) || isNumeric(b))) {
    return 'convert one side, e.g. int(x), double(x) or string(x), or quote the number'
  }
  return undefined
}
