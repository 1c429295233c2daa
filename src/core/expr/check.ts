import {isCelError, plan} from '@bufbuild/cel'
import {closest, distance} from 'fastest-levenshtein'
import {
  arithmetic,
  article,
  BOOL,
  capitalize,
  conditionHint,
  constType,
  DYN,
  equalityComparable,
  INT,
  isDefinite,
  isNumeric,
  join,
  MACROS,
  mismatchHint,
  orderComparable,
  RESULT_TYPES,
  STRING,
  STRING_METHODS,
  TIME_METHODS,
  TYPE,
  TYPE_IDENTS,
  type Ty,
  VARIABLE_TYPES,
} from './check-types.js'
import {CEL_ENV, FUNCTION_NAMES} from './runtime.js'
import {ALL_VARIABLES, contextVariables, describeContext, type ExprContext, isConditionContext} from './scope.js'
import {selectPath} from './tree.js'
import type {Expr, ExprIssue, ParsedExpr} from './types.js'

/*
 * A small, conservative type checker over the parsed CEL AST. @bufbuild/cel
 * has a checker, but its package `exports` do not expose it. This one knows the
 * fixed shapes of joe's variables (event, journey, now, channel), treats
 * profiles and event properties as dynamic, and reports only what is certain
 * to fail or to be meaningless: anything involving a dyn value passes.
 */

type Scope = ReadonlyMap<string, Ty>

export function checkParsed(parsed: ParsedExpr, source: string, context: ExprContext): ExprIssue[] {
  const checker = new Checker(parsed, source, context)
  const result = checker.check(parsed.expr, new Map())
  if (isConditionContext(context) && isDefinite(result) && result.kind !== 'bool') {
    const start = source.length - source.trimStart().length
    checker.report('JOE2012', start, `a condition must be true or false, but this expression is ${article(result)}`, {
      hint: conditionHint(result),
    })
  }
  return checker.issues
}

class Checker {
  readonly issues: ExprIssue[] = []
  private readonly positions: Record<string, number>
  private readonly variables: ReadonlySet<string>

  constructor(
    parsed: ParsedExpr,
    private readonly source: string,
    private readonly context: ExprContext,
  ) {
    this.positions = parsed.sourceInfo?.positions ?? {}
    this.variables = new Set(contextVariables(context))
  }

  report(code: ExprIssue['code'], offset: number, message: string, extra: {hint?: string | undefined} = {}): void {
    // Operator positions can point at the blank before the operator; point at the operator.
    let at = Math.max(0, Math.min(offset, this.source.length))
    while (at < this.source.length - 1 && /\s/.test(this.source.charAt(at))) at++
    if (this.issues.some((i) => i.offset === at && i.message === message)) return
    const issue: ExprIssue = {code, message, offset: at}
    if (extra.hint !== undefined) issue.hint = extra.hint
    this.issues.push(issue)
  }

  private pos(e: Expr | undefined, fallback = 0): number {
    if (e === undefined) return fallback
    return this.positions[String(e.id)] ?? fallback
  }

  check(e: Expr | undefined, scope: Scope): Ty {
    if (e === undefined) return DYN
    const kind = e.exprKind
    switch (kind.case) {
      case 'constExpr':
        return constType(kind.value.constantKind.case)
      case 'identExpr':
        return this.ident(e, kind.value.name, scope)
      case 'selectExpr':
        return this.select(e, kind.value.operand, kind.value.field, kind.value.testOnly, scope)
      case 'callExpr':
        return this.call(e, kind.value.function, kind.value.target, kind.value.args, scope)
      case 'listExpr': {
        let elem: Ty | undefined
        for (const item of kind.value.elements) {
          const t = this.check(item, scope)
          elem = elem === undefined ? t : join(elem, t)
        }
        return {kind: 'list', elem: elem ?? DYN}
      }
      case 'structExpr': {
        let value: Ty | undefined
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.check(entry.keyKind.value, scope)
          const t = this.check(entry.value, scope)
          value = value === undefined ? t : join(value, t)
        }
        return kind.value.messageName === '' ? {kind: 'map', value: value ?? DYN} : DYN
      }
      case 'comprehensionExpr': {
        const c = kind.value
        const range = this.check(c.iterRange, scope)
        let first: Ty = DYN
        let second: Ty = DYN
        if (range.kind === 'list') {
          first = c.iterVar2 === '' ? range.elem : INT
          second = range.elem
        } else if (range.kind === 'map') {
          second = range.value
        } else if (range.kind === 'object') {
          first = STRING
        } else if (isDefinite(range)) {
          this.report('JOE2012', this.pos(c.iterRange, this.pos(e)), `cannot iterate over ${this.label(c.iterRange, range)}`, {
            hint: 'macros such as exists, all, map and filter work on lists and maps',
          })
        }
        const accu = this.check(c.accuInit, scope)
        const loop = new Map(scope)
        loop.set(c.iterVar, first)
        if (c.iterVar2 !== '') loop.set(c.iterVar2, second)
        loop.set(c.accuVar, accu)
        this.check(c.loopCondition, loop)
        this.check(c.loopStep, loop)
        const done = new Map(scope)
        done.set(c.accuVar, accu)
        return this.check(c.result, done)
      }
      default:
        return DYN
    }
  }

  private ident(e: Expr, rawName: string, scope: Scope): Ty {
    const name = rawName.startsWith('.') ? rawName.slice(1) : rawName
    const local = scope.get(name)
    if (local !== undefined) return local
    if (this.variables.has(name)) return VARIABLE_TYPES[name] ?? DYN
    if (TYPE_IDENTS.has(name)) return TYPE
    const offset = this.pos(e)
    if ((ALL_VARIABLES as readonly string[]).includes(name)) {
      const hint =
        name === 'event'
          ? 'this expression is checked against the profile alone; use profile attributes, or make it an exit criterion with an `event`'
          : name === 'channel'
            ? '`channel` exists only in settings.consent'
            : undefined
      this.report('JOE2011', offset, `\`${name}\` is not available in ${describeContext(this.context)}`, {hint})
      return DYN
    }
    const candidates = [...this.variables, ...[...scope.keys()].filter((k) => /^[_a-zA-Z]/.test(k))]
    const guess = suggest(name, candidates)
    this.report('JOE2011', offset, `unknown variable \`${name}\`${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`, {
      hint: `variables here: ${[...this.variables].join(', ')}`,
    })
    return DYN
  }

  private select(e: Expr, operand: Expr | undefined, field: string, testOnly: boolean, scope: Scope): Ty {
    const base = this.check(operand, scope)
    const offset = this.fieldOffset(e, operand, field)
    const t = this.field(base, operand, field, offset)
    return testOnly ? BOOL : t
  }

  /** The type of `operand.field`, reporting unknown fields on fixed shapes and fields of scalars. */
  private field(base: Ty, operand: Expr | undefined, field: string, offset: number): Ty {
    switch (base.kind) {
      case 'dyn':
        return DYN
      case 'map':
        return base.value
      case 'object': {
        const t = base.fields.get(field)
        if (t !== undefined) return t
        const owner = selectPath(operand) ?? base.name
        const guess = suggest(field, [...base.fields.keys()])
        const fallback = base.name === 'event' && base.fields.has('properties') ? `${owner}.properties.${field}` : undefined
        const hintAt = guess ?? fallback
        this.report(
          'JOE2011',
          offset,
          `\`${owner}\` has no field \`${field}\`${hintAt === undefined ? '' : `; did you mean \`${hintAt}\`?`}`,
          {
            hint: base.hint,
          },
        )
        return DYN
      }
      default:
        this.report('JOE2012', offset, `${capitalize(this.label(operand, base))} has no fields, so \`.${field}\` cannot be read`)
        return DYN
    }
  }

  private fieldOffset(e: Expr, operand: Expr | undefined, field: string): number {
    const own = this.pos(e)
    const start = Math.max(own, operand === undefined ? 0 : this.pos(operand) + 1)
    const re = new RegExp(`\\.\\s*${field.replace(/[^_a-zA-Z0-9]/g, '')}(?![_a-zA-Z0-9])`, 'g')
    re.lastIndex = start
    const match = re.exec(this.source)
    return match === null ? own : match.index + match[0].length - field.length
  }

  private call(e: Expr, fn: string, target: Expr | undefined, args: readonly Expr[], scope: Scope): Ty {
    const offset = this.pos(e)
    // `strings.quote(x)` parses as a method on `strings`; it is a namespaced function.
    const qualifier = target === undefined ? undefined : selectPath(target)
    if (qualifier !== undefined && FUNCTION_NAMES.has(`${qualifier}.${fn}`) && scope.get(qualifier) === undefined) {
      return this.call(e, `${qualifier}.${fn}`, undefined, args, scope)
    }
    if (MACROS.has(fn) && !FUNCTION_NAMES.has(fn)) {
      // A macro the parser did not expand: its arguments are not plain expressions.
      this.report('JOE2012', offset, `\`${fn}\` is used with the wrong arguments`, {
        hint:
          fn === 'has'
            ? 'has() takes one field selection, e.g. has(profile.email); for other keys write "key" in profile'
            : `${fn}() takes a variable name and an expression, e.g. profile.tags.${fn}(t, t == "vip")`,
      })
      return fn === 'has' || fn.startsWith('exists') || fn === 'all' ? BOOL : DYN
    }
    const targetType = target === undefined ? undefined : this.check(target, scope)
    const types = args.map((a) => this.check(a, scope))
    const a = types[0] ?? DYN
    const b = types[1] ?? DYN
    switch (fn) {
      case '_&&_':
      case '_||_':
      case '!_':
      case '@not_strictly_false':
        for (const [i, arg] of args.entries()) this.expectBool(arg, types[i] ?? DYN, offset)
        return BOOL
      case '_==_':
      case '_!=_':
        if (!equalityComparable(a, b)) {
          this.report(
            'JOE2012',
            offset,
            `\`${fn.slice(1, -1)}\` compares ${this.label(args[0], a)} with ${this.label(args[1], b)}; they are never equal`,
            {hint: mismatchHint(a, b)},
          )
        }
        return BOOL
      case '_<_':
      case '_<=_':
      case '_>_':
      case '_>=_':
        if (!orderComparable(a, b)) {
          this.report('JOE2012', offset, `\`${fn.slice(1, -1)}\` cannot compare ${this.label(args[0], a)} with ${this.label(args[1], b)}`, {
            hint: mismatchHint(a, b),
          })
        }
        return BOOL
      case '@in':
        if (isDefinite(b) && b.kind !== 'list' && b.kind !== 'map' && b.kind !== 'object') {
          this.report('JOE2012', offset, `\`in\` needs a list or a map on its right, but this is ${this.label(args[1], b)}`, {
            hint: b.kind === 'string' ? 'to look for a substring use .contains("...")' : undefined,
          })
        }
        return BOOL
      case '_+_':
      case '_-_':
      case '_*_':
      case '_/_':
      case '_%_': {
        const result = arithmetic(fn, a, b)
        if (result === undefined) {
          this.report('JOE2012', offset, `\`${fn.slice(1, -1)}\` cannot combine ${this.label(args[0], a)} with ${this.label(args[1], b)}`, {
            hint: mismatchHint(a, b),
          })
          return DYN
        }
        return result
      }
      case '-_':
        if (isDefinite(a) && !isNumeric(a) && a.kind !== 'duration') {
          this.report('JOE2012', offset, `\`-\` cannot negate ${this.label(args[0], a)}`)
          return DYN
        }
        return a
      case '_?_:_':
        this.expectBool(args[0], a, offset)
        return join(b, types[2] ?? DYN)
      case '_[_]':
        return this.index(e, args[0], a, args[1], b)
      default:
        return this.func(e, fn, target, targetType, args, types)
    }
  }

  private expectBool(arg: Expr | undefined, t: Ty, fallback: number): void {
    if (!isDefinite(t) || t.kind === 'bool') return
    this.report('JOE2012', this.pos(arg, fallback), `expected true or false here, but this is ${this.label(arg, t)}`, {
      hint: conditionHint(t),
    })
  }

  private index(e: Expr, operand: Expr | undefined, base: Ty, key: Expr | undefined, keyType: Ty): Ty {
    switch (base.kind) {
      case 'dyn':
        return DYN
      case 'list':
        if (isDefinite(keyType) && !isNumeric(keyType)) {
          this.report('JOE2012', this.pos(key, this.pos(e)), `a list index must be a number, but this is ${this.label(key, keyType)}`)
        }
        return base.elem
      case 'map':
        return base.value
      case 'object': {
        const k = key?.exprKind
        if (k?.case === 'constExpr' && k.value.constantKind.case === 'stringValue') {
          return this.field(base, operand, k.value.constantKind.value, this.pos(key, this.pos(e)))
        }
        return DYN
      }
      default:
        this.report('JOE2012', this.pos(e), `cannot index ${this.label(operand, base)} with [...]`)
        return DYN
    }
  }

  private func(e: Expr, fn: string, target: Expr | undefined, targetType: Ty | undefined, args: readonly Expr[], types: Ty[]): Ty {
    const offset = this.pos(e)
    if (!FUNCTION_NAMES.has(fn)) {
      const known = [...FUNCTION_NAMES, ...MACROS].filter((n) => /^[a-zA-Z]/.test(n))
      const guess = fn === 'not' ? '!' : suggest(fn, known)
      this.report('JOE2012', offset, `unknown function \`${fn}\`${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`, {
        hint: 'see the CEL standard library and the strings extension for available functions',
      })
      return DYN
    }
    const subject = target ?? (STRING_METHODS.has(fn) || TIME_METHODS.test(fn) ? undefined : args[0])
    const subjectType = target === undefined ? (subject === undefined ? undefined : types[0]) : targetType
    if (subjectType !== undefined && isDefinite(subjectType)) {
      const k = subjectType.kind
      const wrong =
        (fn === 'size' && !['string', 'bytes', 'list', 'map', 'object'].includes(k)) ||
        (STRING_METHODS.has(fn) && target !== undefined && k !== 'string') ||
        (TIME_METHODS.test(fn) && target !== undefined && k !== 'timestamp' && k !== 'duration') ||
        (fn === 'join' && target !== undefined && k !== 'list')
      if (wrong) {
        this.report('JOE2012', offset, `\`${fn}\` does not apply to ${this.label(subject, subjectType)}`)
        return DYN
      }
    }
    if ((fn === 'timestamp' || fn === 'duration') && target === undefined && args.length === 1) {
      const arg = args[0]?.exprKind
      if (arg?.case === 'constExpr' && arg.value.constantKind.case === 'stringValue') {
        this.literal(e, fn, arg.value.constantKind.value)
      }
    }
    if (fn === 'dyn') return DYN
    if (TIME_METHODS.test(fn)) return INT
    return RESULT_TYPES[fn] ?? DYN
  }

  /** `duration("1d")` and `timestamp("yesterday")` fail every time; say so now. */
  private literal(e: Expr, fn: 'timestamp' | 'duration', text: string): void {
    let failed = false
    try {
      failed = isCelError(plan(CEL_ENV, e)())
    } catch {
      failed = true
    }
    if (!failed) return
    this.report('JOE2012', this.pos(e), `${JSON.stringify(text)} is not a valid ${fn}`, {
      hint:
        fn === 'duration'
          ? 'CEL durations use the units h, m, s, ms, us and ns, e.g. duration("24h") for a day or duration("90m")'
          : 'use an RFC 3339 timestamp, e.g. timestamp("2026-01-01T00:00:00Z")',
    })
  }

  /** "`event.type` (a string)", "the string "a"", or "a string". */
  label(e: Expr | undefined, t: Ty): string {
    const path = selectPath(e)
    if (path !== undefined) return `\`${path}\` (${article(t)})`
    const k = e?.exprKind
    if (k?.case === 'constExpr') {
      const c = k.value.constantKind
      if (c.case === 'stringValue') return `the string ${JSON.stringify(c.value)}`
      if (c.case === 'int64Value' || c.case === 'doubleValue' || c.case === 'boolValue') return `the ${t.kind} ${String(c.value)}`
    }
    return article(t)
  }
}

function suggest(name: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || name === '') return undefined
  const best = closest(name, candidates as string[])
  const d = distance(name.toLowerCase(), best.toLowerCase())
  const limit = name.length <= 3 ? 1 : name.length <= 6 ? 2 : 3
  return d <= limit && d < name.length ? best : undefined
}
