import {parse} from '@bufbuild/cel'
import {sourceNestingIssue, treeNestingIssue} from './nesting.js'
import type {ExprIssue, ParsedExpr} from './types.js'

export type ParseOutcome = {ok: true; parsed: ParsedExpr} | {ok: false; issue: ExprIssue}

/**
 * Parses CEL, turning a failure into one readable JOE2010 issue. The PEG parser
 * reports where the longest valid prefix ends and a long list of expected
 * tokens; that is rarely where the mistake is, so a small token scan looks for
 * the usual mistakes first (unclosed brackets and strings, `=` for `==`,
 * `and`/`or`, dangling operators) and the parser's position is the fallback.
 * A tree it returns is at most MAX_NESTING deep (JOE2014 otherwise), so the
 * recursive walkers that follow cannot overflow the stack.
 */
export function parseExpression(source: string): ParseOutcome {
  const deepSource = sourceNestingIssue(source)
  if (deepSource !== undefined) return {ok: false, issue: deepSource}
  let parsed: ParsedExpr
  try {
    parsed = parse(source)
  } catch (error) {
    return {ok: false, issue: diagnose(source, error)}
  }
  const deepTree = treeNestingIssue(parsed)
  return deepTree === undefined ? {ok: true, parsed} : {ok: false, issue: deepTree}
}

interface Token {
  kind: 'ident' | 'number' | 'string' | 'op' | 'open' | 'close' | 'comma' | 'dot'
  text: string
  offset: number
}

interface Problem {
  offset: number
  message: string
  hint?: string
}

const CLOSER: Record<string, string> = {'(': ')', '[': ']', '{': '}'}
const BINARY = new Set(['==', '!=', '<', '<=', '>', '>=', '&&', '||', '+', '-', '*', '/', '%', '?', ':', 'in'])
const WORD_OPERATORS = new Map([
  ['and', '&&'],
  ['or', '||'],
  ['not', '!'],
])

function diagnose(source: string, error: unknown): ExprIssue {
  if (error instanceof RangeError) {
    // The source check keeps nesting within what the parser handles; this is the last line of defence.
    return {code: 'JOE2014', message: 'the expression is nested too deeply to parse', offset: 0}
  }
  const problem = scan(source) ?? fromParserError(source, error)
  const issue: ExprIssue = {code: 'JOE2010', message: problem.message, offset: clamp(problem.offset, source.length)}
  if (problem.hint !== undefined) issue.hint = problem.hint
  return issue
}

function clamp(offset: number, length: number): number {
  if (!Number.isFinite(offset) || offset < 0) return 0
  return Math.min(Math.trunc(offset), length)
}

/** What the parser said, reworded. */
function fromParserError(source: string, error: unknown): Problem {
  if (!(error instanceof Error)) return {offset: 0, message: 'the expression does not parse'}
  const details = error as Error & {
    rawMessage?: unknown
    location?: {start?: {offset?: unknown}}
    found?: unknown
    expected?: unknown
  }
  const offset = typeof details.location?.start?.offset === 'number' ? details.location.start.offset : 0
  const raw = typeof details.rawMessage === 'string' ? details.rawMessage : ''
  if (raw === 'reserved identifier' || raw === 'reserved keyword') {
    const word = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(source.slice(offset))?.[0] ?? ''
    return {
      offset,
      message: `\`${word}\` is a reserved word in CEL and cannot be used as a name`,
      hint: `to read a key with this name, index the map instead, e.g. profile["${word}"]`,
    }
  }
  if (typeof details.found === 'string') {
    const problem: Problem =
      details.found === '' ? {offset, message: 'the expression ends too early'} : {offset, message: `unexpected \`${details.found}\``}
    const expected = describeExpected(details.expected)
    if (expected !== undefined) problem.hint = `expected ${expected}`
    return problem
  }
  if (raw !== '') return {offset, message: raw}
  return {offset, message: `the expression does not parse: ${error.message}`}
}

function describeExpected(expected: unknown): string | undefined {
  if (!Array.isArray(expected)) return undefined
  const names = new Set<string>()
  for (const item of expected as Array<{type?: unknown; value?: unknown}>) {
    if (typeof item?.value !== 'string') continue
    if (item.value === 'whitespace' || item.value === 'comment') continue
    names.add(item.type === 'literal' ? `\`${item.value}\`` : item.value)
  }
  names.delete('end of input')
  if (names.size === 0 || names.size > 4) return undefined
  const list = [...names]
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`
}

/** Finds the first typical mistake; undefined when none is recognised. */
function scan(source: string): Problem | undefined {
  const lexed = lex(source)
  if ('problem' in lexed) return lexed.problem
  const tokens = lexed.tokens
  if (tokens.length === 0) return {offset: 0, message: 'the expression is empty', hint: 'write a CEL expression, e.g. profile.vip == true'}

  const stack: Token[] = []
  let prev: Token | undefined
  for (const token of tokens) {
    const problem = checkPair(prev, token)
    if (problem !== undefined) return problem
    if (token.kind === 'open') stack.push(token)
    if (token.kind === 'close') {
      const open = stack.pop()
      if (open === undefined) return {offset: token.offset, message: `\`${token.text}\` has no matching opening bracket`}
      const want = CLOSER[open.text] ?? ''
      if (want !== token.text) {
        return {
          offset: token.offset,
          message: `expected \`${want}\` to close the \`${open.text}\` at offset ${open.offset}, found \`${token.text}\``,
        }
      }
    }
    prev = token
  }
  if (prev !== undefined && isOperator(prev)) return missingOperand(prev)
  if (prev?.kind === 'dot') return {offset: prev.offset, message: 'expected a field name after `.`'}
  const ternary = unmatchedQuestion(tokens)
  if (ternary !== undefined) {
    return {offset: ternary.offset, message: '`?` has no `:` branch', hint: 'write condition ? value_if_true : value_if_false'}
  }
  const open = stack.pop()
  if (open !== undefined) {
    return {offset: open.offset, message: `\`${open.text}\` is never closed`, hint: `add \`${CLOSER[open.text] ?? ''}\``}
  }
  return undefined
}

/** The first `?` with no `:` after it at the same bracket depth. */
function unmatchedQuestion(tokens: readonly Token[]): Token | undefined {
  const pending: Array<{token: Token; depth: number}> = []
  let depth = 0
  for (const token of tokens) {
    if (token.kind === 'open') depth++
    if (token.kind === 'close' || token.kind === 'comma') {
      const last = pending.at(-1)
      if (last !== undefined && last.depth >= depth) return last.token
      if (token.kind === 'close') depth--
    }
    if (token.text === '?' && token.kind === 'op') pending.push({token, depth})
    if (token.text === ':' && token.kind === 'op' && pending.at(-1)?.depth === depth) pending.pop()
  }
  return pending[0]?.token
}

function isOperandEnd(token: Token): boolean {
  if (token.kind === 'ident') return !WORD_OPERATORS.has(token.text.toLowerCase())
  return token.kind === 'number' || token.kind === 'string' || token.kind === 'close'
}

function isOperator(token: Token): boolean {
  return token.kind === 'op'
}

function missingOperand(op: Token): Problem {
  return {offset: op.offset, message: `\`${op.text}\` is missing the value after it`}
}

function checkPair(prev: Token | undefined, token: Token): Problem | undefined {
  if (token.kind === 'ident' && prev?.kind !== 'dot') {
    const replacement = WORD_OPERATORS.get(token.text.toLowerCase())
    if (replacement !== undefined) {
      return {offset: token.offset, message: `\`${token.text}\` is not a CEL operator; use \`${replacement}\``}
    }
  }
  if (prev?.kind === 'dot' && token.kind !== 'ident') {
    return {offset: prev.offset, message: 'expected a field name after `.`'}
  }
  if (prev !== undefined && isOperator(prev) && (token.kind === 'close' || token.kind === 'comma')) {
    return missingOperand(prev)
  }
  if (prev?.kind === 'comma' && token.text === ')') {
    return {offset: prev.offset, message: 'a `,` must be followed by another argument', hint: 'remove the trailing `,`'}
  }
  const binaryOnly = token.kind === 'op' && BINARY.has(token.text) && token.text !== '-'
  if (binaryOnly && (prev === undefined || !isOperandEnd(prev))) {
    if (prev === undefined) return {offset: token.offset, message: `the expression starts with \`${token.text}\``}
    if (isOperator(prev)) return {offset: token.offset, message: `unexpected \`${token.text}\` right after \`${prev.text}\``}
    return {offset: token.offset, message: `unexpected \`${token.text}\``}
  }
  const startsOperand = token.kind === 'ident' || token.kind === 'number' || token.kind === 'string'
  if (startsOperand && prev !== undefined && isOperandEnd(prev)) {
    return {
      offset: token.offset,
      message: `missing an operator between \`${prev.text}\` and \`${token.text}\``,
      hint: 'combine conditions with && or ||',
    }
  }
  return undefined
}

type LexResult = {tokens: Token[]} | {problem: Problem}

/** A forgiving CEL tokenizer; it only has to be good enough to explain failures. */
function lex(source: string): LexResult {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const c = source[i] ?? ''
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++
      continue
    }
    const start = i
    const quoted = /^([rRbB]{0,2})("""|'''|"|')/.exec(source.slice(i, i + 5))
    if (quoted !== null && (quoted[1] === '' || /^[rRbB]+$/.test(quoted[1] ?? ''))) {
      const prefix = quoted[1] ?? ''
      const quote = quoted[2] ?? '"'
      const raw = /r/i.test(prefix)
      i += prefix.length + quote.length
      let closed = false
      while (i < source.length) {
        if (!raw && source[i] === '\\') {
          i += 2
          continue
        }
        if (quote.length === 1 && (source[i] === '\n' || source[i] === '\r')) break
        if (source.startsWith(quote, i)) {
          i += quote.length
          closed = true
          break
        }
        i++
      }
      if (!closed) {
        return {problem: {offset: start, message: 'this string is never closed', hint: `add the closing ${quote}`}}
      }
      tokens.push({kind: 'string', text: source.slice(start, i), offset: start})
      continue
    }
    const word = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(source.slice(i))
    if (word !== null) {
      const text = word[0]
      i += text.length
      const kind = text === 'in' && tokens.at(-1)?.kind !== 'dot' ? 'op' : 'ident'
      tokens.push({kind, text, offset: start})
      continue
    }
    const number =
      /^(0x[0-9a-fA-F]+[uU]?|[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|\.[0-9]+([eE][+-]?[0-9]+)?|[0-9]+[uU]?)/.exec(
        source.slice(i),
      )
    if (number !== null) {
      i += number[0].length
      tokens.push({kind: 'number', text: number[0], offset: start})
      continue
    }
    const two = source.slice(i, i + 2)
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      i += 2
      tokens.push({kind: 'op', text: two, offset: start})
      continue
    }
    i++
    if ('<>+-*/%?:!'.includes(c)) tokens.push({kind: 'op', text: c, offset: start})
    else if ('([{'.includes(c)) tokens.push({kind: 'open', text: c, offset: start})
    else if (')]}'.includes(c)) tokens.push({kind: 'close', text: c, offset: start})
    else if (c === ',') tokens.push({kind: 'comma', text: c, offset: start})
    else if (c === '.') tokens.push({kind: 'dot', text: c, offset: start})
    else if (c === '=') return {problem: {offset: start, message: '`=` is not a CEL operator; use `==` to compare'}}
    else if (c === '&') return {problem: {offset: start, message: '`&` is not a CEL operator; use `&&`'}}
    else if (c === '|') return {problem: {offset: start, message: '`|` is not a CEL operator; use `||`'}}
    else {
      const char = String.fromCodePoint(source.codePointAt(start) ?? 0)
      return {problem: {offset: start, message: `unexpected character \`${char}\``}}
    }
  }
  return {tokens}
}
