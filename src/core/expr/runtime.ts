import {
  type CelEnv,
  type CelInput,
  CelScalar,
  celEnv,
  celFunc,
  celMap,
  isCelList,
  isCelMap,
  isCelType,
  isCelUint,
  parse,
  plan,
} from '@bufbuild/cel'
import {strings} from '@bufbuild/cel/ext'
import {iso} from '../instant.js'
import {LruCache} from '../lru.js'
import {ACCUMULATE_FUNCS} from './accumulate.js'
import {METER_FUNCS} from './meter.js'

const {DOUBLE, INT} = CelScalar

/**
 * JSON numbers arrive as CEL doubles. CEL already compares doubles with int
 * literals (`price > 50`), but its arithmetic has no mixed overloads, so
 * `profile.points + 10` would fail. These overloads make mixed int/double
 * arithmetic work and produce a double, as JSON users expect (spec 2.3).
 */
const mixedArithmetic = [
  celFunc('_+_', [DOUBLE, INT], DOUBLE, (a, b) => a + Number(b)),
  celFunc('_+_', [INT, DOUBLE], DOUBLE, (a, b) => Number(a) + b),
  celFunc('_-_', [DOUBLE, INT], DOUBLE, (a, b) => a - Number(b)),
  celFunc('_-_', [INT, DOUBLE], DOUBLE, (a, b) => Number(a) - b),
  celFunc('_*_', [DOUBLE, INT], DOUBLE, (a, b) => a * Number(b)),
  celFunc('_*_', [INT, DOUBLE], DOUBLE, (a, b) => Number(a) * b),
  celFunc('_/_', [DOUBLE, INT], DOUBLE, (a, b) => a / Number(b)),
  celFunc('_/_', [INT, DOUBLE], DOUBLE, (a, b) => Number(a) / b),
]

/**
 * The one CEL environment joe evaluates in: the standard library, the strings
 * extension, mixed arithmetic, and the internal functions of joe's rewrites
 * (meter.ts, accumulate.ts; named with `@`, which expressions cannot spell).
 */
export const CEL_ENV: CelEnv = celEnv({funcs: [...strings, ...mixedArithmetic, ...METER_FUNCS, ...ACCUMULATE_FUNCS]})

/** Every function name the environment knows, for the checker. */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set([...CEL_ENV.funcs].map((f) => f.name))

/**
 * A JS object seen as a CEL map without copying it. Left to itself, CEL copies
 * a plain object into a Map on every access (`profile.x` twice = two copies of
 * the whole profile); this wrapper reads keys on demand, and also accepts
 * objects without a prototype. Keys holding `undefined` count as absent.
 */
class ObjectMap implements ReadonlyMap<string, unknown> {
  constructor(private readonly object: Readonly<Record<string, unknown>>) {}

  get size(): number {
    return this.definedKeys().length
  }

  get(key: unknown): unknown {
    if (typeof key !== 'string' || !Object.hasOwn(this.object, key)) return undefined
    return celInput(this.object[key])
  }

  has(key: unknown): boolean {
    return this.get(key) !== undefined
  }

  keys(): MapIterator<string> {
    return this.definedKeys()[Symbol.iterator]()
  }

  *values(): MapIterator<unknown> {
    for (const key of this.definedKeys()) yield this.get(key)
  }

  *entries(): MapIterator<[string, unknown]> {
    for (const key of this.definedKeys()) yield [key, this.get(key)]
  }

  [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries()
  }

  forEach(callback: (value: unknown, key: string, map: ReadonlyMap<string, unknown>) => void): void {
    for (const key of this.definedKeys()) callback(this.get(key), key, this)
  }

  private definedKeys(): string[] {
    return Object.keys(this.object).filter((key) => this.object[key] !== undefined)
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || '$typeName' in value) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** A JSON-ish JS value as CEL input: plain objects become lazy maps, everything else is left to CEL. */
export function celInput(value: unknown): unknown {
  return isPlainObject(value) ? celMap(new ObjectMap(value) as unknown as ReadonlyMap<string, CelInput>) : value
}

interface TimestampMessage {
  $typeName: 'google.protobuf.Timestamp'
  seconds: bigint
  nanos: number
}

/** Epoch milliseconds as a google.protobuf.Timestamp message, which CEL treats as a timestamp. */
export function timestampFromEpochMs(ms: number): TimestampMessage {
  if (!Number.isFinite(ms)) throw new Error(`invalid time ${String(ms)}; expected epoch milliseconds`)
  const whole = Math.floor(ms)
  const seconds = Math.floor(whole / 1000)
  return {$typeName: 'google.protobuf.Timestamp', seconds: BigInt(seconds), nanos: (whole - seconds * 1000) * 1_000_000}
}

interface WellKnownTime {
  $typeName: string
  seconds: bigint
  nanos: number
}

function wellKnownTime(value: object): WellKnownTime | undefined {
  const message = 'message' in value ? (value as {message: unknown}).message : value
  if (typeof message !== 'object' || message === null || !('$typeName' in message)) return undefined
  const candidate = message as Partial<WellKnownTime>
  if (typeof candidate.seconds !== 'bigint' || typeof candidate.nanos !== 'number') return undefined
  if (candidate.$typeName !== 'google.protobuf.Timestamp' && candidate.$typeName !== 'google.protobuf.Duration') return undefined
  return candidate as WellKnownTime
}

/**
 * A CEL value as a plain JSON-friendly JS value:
 * int, uint and double become numbers (ints beyond 2^53 lose precision);
 * lists become arrays and maps objects (keys as strings);
 * timestamps become ISO 8601 strings (`2026-03-02T10:00:00.000Z`), which `timestamp(x)` reads back;
 * durations become CEL duration strings in seconds (`3600s`, `1.5s`), which `duration(x)` reads back;
 * bytes become base64 strings; types become their names (`int`).
 */
export function toPlain(value: unknown): unknown {
  switch (typeof value) {
    case 'boolean':
    case 'string':
    case 'number':
      return value
    case 'bigint':
      return Number(value)
    case 'undefined':
      return null
    case 'object':
      break
    default:
      return String(value)
  }
  if (value === null) return null
  if (isCelUint(value)) return Number(value.value)
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (isCelList(value)) {
    const out: unknown[] = []
    for (const item of value) out.push(toPlain(item))
    return out
  }
  if (isCelMap(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of value) out[isCelUint(key) ? String(key.value) : String(key)] = toPlain(item)
    return out
  }
  if (isCelType(value)) return value.name
  const time = wellKnownTime(value)
  if (time !== undefined) {
    if (time.$typeName === 'google.protobuf.Timestamp') {
      return iso(Number(time.seconds) * 1000 + Math.floor(time.nanos / 1_000_000))
    }
    return formatDuration(time.seconds, time.nanos)
  }
  return String(value)
}

function formatDuration(seconds: bigint, nanos: number): string {
  if (nanos === 0) return `${seconds}s`
  const negative = seconds < 0n || nanos < 0
  const abs = (seconds < 0n ? -seconds : seconds).toString()
  const fraction = String(Math.abs(nanos)).padStart(9, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${abs}.${fraction}s`
}

const identity = plan(CEL_ENV, parse('t'))
const timestamps = new LruCache<number, ReturnType<typeof identity>>(4096)

/**
 * Epoch milliseconds as a ready CEL timestamp value. Converting a Timestamp
 * message costs microseconds, and the same instants (now, entered_at) recur
 * across many evaluations, so the most recently used few thousand are kept.
 */
export function celTimestamp(ms: number): unknown {
  let value = timestamps.get(ms)
  if (value === undefined) {
    value = identity({t: timestampFromEpochMs(ms)})
    timestamps.set(ms, value)
  }
  return value
}
