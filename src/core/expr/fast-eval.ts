import {isPlainObject, toPlain} from './runtime.js'
import type {Expr, ExprBindings} from './types.js'

/**
 * A fast path for the simple expressions journeys are mostly made of
 * (`has(profile.x) && profile.x == true`, `event.properties.cart_value > 50.0`,
 * `'SAVE10'`). They are compiled to plain closures over the bindings, skipping
 * the CEL library's attribute resolution, lazy map wrappers and overload
 * dispatch. The library stays the reference: a closure answers only when it is
 * certain to give exactly `toPlain(library result)`, and otherwise returns
 * FALLBACK so the caller runs the library, which then produces the value or the
 * error message it always did. Errors are never produced here.
 *
 * Inside the closures values are modelled on the library's own representation:
 * JSON numbers are doubles (JS numbers), int literals are ints (bigints), plain
 * objects are maps and arrays are lists, so equality and ordering can follow the
 * library's overloads literally.
 *
 * Why it stays: measured with `node bench/micro/cel-fast-path.js` (also run by
 * `npm run bench`), evaluating the 17 expressions of the starter templates
 * against the profiles and events of their test cases takes the library alone
 * 1.7x the CPU time it takes with this fast path (about 700 against 420 ns an
 * evaluation; median of 21 rounds, node 20 on a 2-CPU AMD EPYC). Simple
 * comparisons gain 2x to 9x each; the mean is held down by a `timestamp()`
 * audience that the fast path leaves to the library.
 */

/** "Not sure, ask the library": a missing key, a type mismatch, a timestamp, an unknown function... */
export const FALLBACK: unique symbol = Symbol('ask the CEL library')

/** A compiled fast path: a plain result value, or FALLBACK. Never throws. */
export type FastEvaluator = (bindings: ExprBindings) => unknown

/** A CEL value as modelled here, or FALLBACK. */
type Node = (bindings: ExprBindings) => unknown

/** A node that can never answer; parents that need its value can never answer either. */
const UNSUPPORTED: Node = () => FALLBACK

/**
 * The fast path for a parsed expression, or undefined
 * when the fast path can never answer for it, so there is nothing to try.
 */
export function compileFast(root: Expr): FastEvaluator | undefined {
  const node = compile(root)
  if (node === UNSUPPORTED) return undefined
  return (bindings) => {
    try {
      return toResult(node(bindings))
    } catch {
      // A throwing getter or proxy in the bindings: let the library report it its own way.
      return FALLBACK
    }
  }
}

/** What `toPlain` makes of a scalar result; lists and maps are left to the library. */
function toResult(value: unknown): unknown {
  return isScalar(value) ? toPlain(value) : FALLBACK
}

function compile(e: Expr | undefined): Node {
  if (e === undefined) return UNSUPPORTED
  const kind = e.exprKind
  switch (kind.case) {
    case 'constExpr': {
      const value = constant(kind.value.constantKind)
      return value === FALLBACK ? UNSUPPORTED : () => value
    }
    case 'identExpr':
      return compileIdent(kind.value.name)
    case 'selectExpr':
      return kind.value.testOnly ? compileHas(kind.value.operand, kind.value.field) : compileSelect(kind.value.operand, kind.value.field)
    case 'callExpr':
      return kind.value.target === undefined ? compileCall(kind.value.function, kind.value.args) : UNSUPPORTED
    case 'listExpr': {
      const list = constantList(kind.value.elements, kind.value.optionalIndices)
      return list === undefined ? UNSUPPORTED : () => list
    }
    default:
      return UNSUPPORTED
  }
}

type ConstantKind = Extract<Expr['exprKind'], {case: 'constExpr'}>['value']['constantKind']

/** A literal as the library's planner represents it; uints and bytes are not modelled. */
function constant(kind: ConstantKind): Scalar | typeof FALLBACK {
  switch (kind.case) {
    case 'stringValue':
    case 'boolValue':
    case 'int64Value':
      return kind.value
    case 'doubleValue':
      return Number.isNaN(kind.value) ? FALLBACK : kind.value
    case 'nullValue':
      return null
    default:
      return FALLBACK
  }
}

/** A list literal of scalar constants, computed once; undefined when it has anything else. */
function constantList(elements: readonly Expr[], optionalIndices: readonly number[]): Scalar[] | undefined {
  if (optionalIndices.length > 0) return undefined
  const values: Scalar[] = []
  for (const element of elements) {
    const value = element.exprKind.case === 'constExpr' ? constant(element.exprKind.value.constantKind) : FALLBACK
    if (value === FALLBACK) return undefined
    values.push(value)
  }
  return values
}

/** `profile` and `channel`; `event` and `journey` only through their fields; `now` never (a timestamp). */
function compileIdent(name: string): Node {
  switch (name) {
    case 'profile':
      return (b) => (isPlainObject(b.profile) ? b.profile : FALLBACK)
    case 'channel':
      // Only strings: CEL would copy an object here into a map with other rules than profile's.
      return (b) => (typeof b.channel === 'string' ? b.channel : FALLBACK)
    default:
      return UNSUPPORTED
  }
}

/** The fields of `event` that are not timestamps, read as CEL reads its map of them. */
const EVENT_FIELDS: ReadonlySet<string> = new Set(['type', 'properties'])

/**
 * `variable.field` read straight from the bindings, undefined when absent
 * (the library's maps treat keys holding undefined as absent too), FALLBACK
 * when the variable is not what CEL would see as a map. Covers `profile`, the
 * event's type and properties and the journey's id; undefined when `operand`
 * is not one of those.
 */
function variableField(operand: Expr | undefined, field: string): Node | undefined {
  const name = operand?.exprKind.case === 'identExpr' ? operand.exprKind.value.name : undefined
  if (name === 'profile') {
    // The hot case (`has(profile.x) && profile.x == ...`): one plainness check per read.
    return (b) => {
      const profile = b.profile
      if (!isPlainObject(profile)) return FALLBACK
      return Object.hasOwn(profile, field) ? profile[field] : undefined
    }
  }
  if (name === 'event' && EVENT_FIELDS.has(field)) {
    return (b) => {
      const event = b.event
      // The library converts the event's timestamp on first access and fails on an invalid one.
      if (typeof event !== 'object' || event === null || !Number.isFinite(event.timestamp)) return FALLBACK
      return field === 'type' ? event.type : event.properties
    }
  }
  if (name === 'journey' && field === 'id') {
    return (b) => {
      const journey = b.journey
      if (typeof journey !== 'object' || journey === null || !Number.isFinite(journey.entered_at)) return FALLBACK
      return journey.id
    }
  }
  return undefined
}

function isBuiltinVariable(operand: Expr | undefined): boolean {
  if (operand?.exprKind.case !== 'identExpr') return false
  const name = operand.exprKind.value.name
  return name === 'event' || name === 'journey' || name === 'now'
}

/** `x.field` (and `x["field"]`, which CEL plans the same way). A missing key is an error: FALLBACK. */
function compileSelect(operand: Expr | undefined, field: string): Node {
  const read = variableField(operand, field)
  if (read !== undefined) {
    return (b) => {
      const raw = read(b)
      return raw === FALLBACK ? FALLBACK : readValue(raw)
    }
  }
  if (isBuiltinVariable(operand)) return UNSUPPORTED
  const inner = compile(operand)
  if (inner === UNSUPPORTED) return UNSUPPORTED
  return (b) => {
    const map = inner(b)
    if (!isPlainObject(map) || !Object.hasOwn(map, field)) return FALLBACK
    return readValue(map[field])
  }
}

/** `has(x.field)`: false for absent, undefined and null values and for operands that are not maps. */
function compileHas(operand: Expr | undefined, field: string): Node {
  const read = variableField(operand, field)
  if (read !== undefined) {
    return (b) => {
      const raw = read(b)
      return raw === FALLBACK ? FALLBACK : presence(raw)
    }
  }
  // An unbound `event` makes has() false in the library; not worth modelling.
  if (isBuiltinVariable(operand)) return UNSUPPORTED
  const inner = compile(operand)
  if (inner === UNSUPPORTED) return UNSUPPORTED
  return (b) => {
    const value = inner(b)
    if (isPlainObject(value)) return Object.hasOwn(value, field) ? presence(value[field]) : false
    return isScalar(value) || Array.isArray(value) ? false : FALLBACK
  }
}

/**
 * A value read from a map in the bindings, as the library would see it.
 * Undefined means a missing key (an error); non-finite numbers, bigints and
 * objects that are neither plain nor arrays are left to the library.
 */
function readValue(raw: unknown): unknown {
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      return raw
    case 'number':
      return Number.isFinite(raw) ? raw : FALLBACK
    case 'object':
      return raw === null || Array.isArray(raw) || isPlainObject(raw) ? raw : FALLBACK
    default:
      return FALLBACK
  }
}

/**
 * Whether a map entry counts as present: the library's map `has` reads the
 * value and tests `!= undefined`, so null is absent; values it cannot convert
 * make it fail, so those are left to it.
 */
function presence(raw: unknown): boolean | typeof FALLBACK {
  if (raw === undefined || raw === null) return false
  return isScalar(raw) || Array.isArray(raw) || isPlainObject(raw) ? true : FALLBACK
}

function compileCall(name: string, args: readonly Expr[]): Node {
  const [first, second, third] = args
  switch (name) {
    case '_&&_':
      return logical(args.map(compile), false)
    case '_||_':
      return logical(args.map(compile), true)
    case '!_':
      return args.length === 1 ? not(compile(first)) : UNSUPPORTED
    case '_?_:_':
      return args.length === 3 ? conditional(compile(first), compile(second), compile(third)) : UNSUPPORTED
    case '_[_]': {
      const key = second?.exprKind
      const isStringKey = key?.case === 'constExpr' && key.value.constantKind.case === 'stringValue'
      return args.length === 2 && isStringKey ? compileSelect(first, String(key.value.constantKind.value)) : UNSUPPORTED
    }
    case '@in':
      return args.length === 2 ? membership(compile(first), second) : UNSUPPORTED
  }
  const test = BINARY.get(name)
  if (test === undefined || args.length !== 2) return UNSUPPORTED
  const left = compile(first)
  const right = compile(second)
  if (left === UNSUPPORTED || right === UNSUPPORTED) return UNSUPPORTED
  return (b) => {
    const l = left(b)
    if (l === FALLBACK) return FALLBACK
    const r = right(b)
    return r === FALLBACK ? FALLBACK : test(l, r)
  }
}

/**
 * `&&` (`decisive` false) and `||` (`decisive` true), left to right as the
 * library runs them. The library also absorbs errors (`error && false` is
 * false), but an operand that falls back might have thrown, which it does not
 * absorb; so the first operand that is not a bool falls back.
 */
function logical(operands: readonly Node[], decisive: boolean): Node {
  if (operands.length === 0 || operands[0] === UNSUPPORTED) return UNSUPPORTED
  return (b) => {
    for (const operand of operands) {
      const value = operand(b)
      if (value === decisive) return decisive
      if (value !== !decisive) return FALLBACK
    }
    return !decisive
  }
}

function not(operand: Node): Node {
  if (operand === UNSUPPORTED) return UNSUPPORTED
  return (b) => {
    const value = operand(b)
    return typeof value === 'boolean' ? !value : FALLBACK
  }
}

function conditional(condition: Node, whenTrue: Node, whenFalse: Node): Node {
  if (condition === UNSUPPORTED || (whenTrue === UNSUPPORTED && whenFalse === UNSUPPORTED)) return UNSUPPORTED
  return (b) => {
    const value = condition(b)
    if (value === true) return whenTrue(b)
    return value === false ? whenFalse(b) : FALLBACK
  }
}

/** `x in list` (equality as `==`) and `"key" in map` (presence as `has`). */
function membership(needle: Node, haystack: Expr | undefined): Node {
  if (needle === UNSUPPORTED) return UNSUPPORTED
  const literal = haystack?.exprKind.case === 'listExpr' ? haystack.exprKind.value : undefined
  const constants = literal === undefined ? undefined : constantList(literal.elements, literal.optionalIndices)
  if (constants !== undefined) {
    return (b) => {
      const value = needle(b)
      return isScalar(value) ? constants.some((item) => scalarEquals(item, value)) : FALLBACK
    }
  }
  const container = compile(haystack)
  if (container === UNSUPPORTED) return UNSUPPORTED
  return (b) => {
    const value = needle(b)
    if (!isScalar(value)) return FALLBACK
    const within = container(b)
    if (Array.isArray(within)) {
      // The library converts each element as it goes; anything but scalars could fail or compare deeply.
      let found = false
      for (let i = 0; i < within.length; i++) {
        const item: unknown = within[i]
        if (!isScalar(item)) return FALLBACK
        if (!found && scalarEquals(item, value)) found = true
      }
      return found
    }
    if (isPlainObject(within) && typeof value === 'string') return Object.hasOwn(within, value) ? presence(within[value]) : false
    return FALLBACK
  }
}

type Scalar = string | boolean | number | bigint | null

function isScalar(value: unknown): value is Scalar {
  if (value === null) return true
  const type = typeof value
  return type === 'string' || type === 'boolean' || type === 'number' || type === 'bigint'
}

/** CEL equality on scalars: numbers compare across int and double, other types never equal each other. */
function scalarEquals(a: Scalar, b: Scalar): boolean {
  if (a === b) return true
  if (typeof a === 'number' && typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b
  if (typeof a === 'bigint' && typeof b === 'number') return Number.isInteger(b) && BigInt(b) === a
  return false
}

function equality(negate: boolean): (a: unknown, b: unknown) => unknown {
  return (a, b) => (isScalar(a) && isScalar(b) ? scalarEquals(a, b) !== negate : FALLBACK)
}

/**
 * The sign of a comparison the library has an overload for: same-typed bools,
 * strings, doubles or ints, and int against double (the int converted to a
 * double, as the library does). Anything else is an error there: FALLBACK.
 */
function compare(a: unknown, b: unknown): number | typeof FALLBACK {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  const x = typeof a === 'bigint' ? Number(a) : a
  const y = typeof b === 'bigint' ? Number(b) : b
  if (typeof x !== 'number' || typeof y !== 'number' || Number.isNaN(x) || Number.isNaN(y)) return FALLBACK
  return x < y ? -1 : x > y ? 1 : 0
}

function ordering(holds: (sign: number) => boolean): (a: unknown, b: unknown) => unknown {
  return (a, b) => {
    const sign = compare(a, b)
    return sign === FALLBACK ? FALLBACK : holds(sign)
  }
}

const BINARY: ReadonlyMap<string, (a: unknown, b: unknown) => unknown> = new Map([
  ['_==_', equality(false)],
  ['_!=_', equality(true)],
  ['_<_', ordering((sign) => sign < 0)],
  ['_<=_', ordering((sign) => sign <= 0)],
  ['_>_', ordering((sign) => sign > 0)],
  ['_>=_', ordering((sign) => sign >= 0)],
])
