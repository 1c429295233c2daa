import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseAllDocuments} from 'yaml'
import {fastYamlValue} from '../../../src/core/journey/fast-yaml.js'

const root = path.resolve(import.meta.dirname, '../../..')

/** What joe's parser (source.ts) gets from `yaml`: the value, or undefined when yaml reports anything. */
function yamlValue(text: string): {value: unknown} | undefined {
  const docs = parseAllDocuments(text, {uniqueKeys: true, prettyErrors: false, strict: true})
  if (!Array.isArray(docs) || docs.length !== 1) return undefined
  const doc = docs[0]
  if (!doc || doc.errors.length > 0 || doc.warnings.length > 0) return undefined
  return {value: doc.toJS({maxAliasCount: 100})}
}

/** A form that tells apart key order, -0, NaN and Infinity, which toEqual would not all do. */
function canonical(value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? 'n:-0' : `n:${value}`
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, canonical(v)])
  return value
}

/** The fast reader either has no answer or has yaml's, exactly. */
function agrees(text: string): 'fast' | 'fallback' {
  const fast = fastYamlValue(text)
  if (fast === undefined) return 'fallback'
  const reference = yamlValue(text)
  expect(reference, `yaml reports a problem the fast reader missed in:\n${text}`).toBeDefined()
  expect(canonical(fast.value), text).toEqual(canonical(reference?.value))
  return 'fast'
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, {recursive: true, encoding: 'utf8'})
    .filter((f) => /\.ya?ml$/.test(f) && !f.includes('node_modules'))
    .map((f) => path.join(dir, f))

// Scalars and flow values on the edges of the subset and of YAML's core schema.
const SCALARS = [
  'x',
  'a b',
  'a  b',
  'Cart abandonment (1)',
  "it's",
  'a, b',
  'x [y]',
  'x {y}',
  'a:b',
  'a :b',
  'a#b',
  'value # comment',
  'a: b',
  'a:',
  '1',
  '-5',
  '+1',
  '007',
  '0',
  '-0',
  '00',
  '0o17',
  '0o8',
  '0x1F',
  '0xg',
  '1_000',
  '0b101',
  '1e3',
  '-1.5E-2',
  '1.',
  '.5',
  '-.5',
  '.',
  '1.50',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '.NaN',
  'Infinity',
  'NaN',
  'true',
  'True',
  'TRUE',
  'tRue',
  'false',
  'yes',
  'on',
  'null',
  'Null',
  'NULL',
  '~',
  '',
  '21:00',
  '2026-03-02',
  '2026-03-02T10:00:00Z',
  '1h',
  'P1DT2H',
  'é',
  'ü ß 漢字',
  '😀',
  '-x',
  '-',
  '- x',
  '?x',
  ':x',
  '@x',
  '%x',
  '`x',
  '!x',
  '!!str x',
  '&a x',
  '*a',
  '|',
  '>',
  '|-',
  '"q"',
  '"a \\"b\\""',
  '"\\u00e9\\n\\t\\\\ \\/"',
  '"\\x41"',
  '"\\e"',
  '"\\ud83d\\ude00"',
  '"a # b"',
  '"x"#c',
  '"x" # c',
  '"x" y',
  "'s'",
  "'it''s'",
  "'a # b'",
  "'x' # c",
  '"unterminated',
  "'x",
  '"',
  "''",
  '""',
  '{a: 1}',
  '{a: 1, b: [x, y]}',
  '{ a: "x, y" , b: -2 }',
  '{}',
  '{ }',
  '[]',
  '[ ]',
  '[a, b]',
  '[a, b, ]',
  '{a: 1,}',
  '{a}',
  '{a: }',
  '[a: 1]',
  '{a: b: c}',
  '[a#b]',
  '[a, #b]',
  '[a, [b, c], {d: e}]',
  '{"a": 1}',
  "{'a': 1}",
  '{a:1}',
  '{a: 1} # c',
  '{a: 1}x',
  '[1, -2, .5, true, null, "s", \'t\']',
  '{a: 1',
  '[a',
  '{a: [1, 2], a: 3}',
  '{__proto__: 1}',
  '{true: 1}',
  '[x y, z]',
]
const KEYS = [
  'a',
  'b',
  'id',
  'next',
  'when',
  'x_y',
  'key-1',
  '_k',
  'true',
  'null',
  'Null',
  'on',
  'y',
  'a',
  '__proto__',
  '"q"',
  'a b',
  '1',
  '.5',
  'k:',
  'k ',
]

// Mostly values and keys inside the subset, so that many documents are answered and compared.
const LIKELY_SCALARS = [
  'x',
  'a b',
  'Cart abandonment (1)',
  "it's",
  'a, b',
  'x [y]',
  'a:b',
  'a#b',
  'value # comment',
  '1',
  '-5',
  '007',
  '0o17',
  '0x1F',
  '1e3',
  '.5',
  '1.50',
  '.inf',
  '-.Inf',
  '.nan',
  'true',
  'TRUE',
  'null',
  '~',
  '21:00',
  '1h',
  'é',
  '😀',
  '"q"',
  '"\\u00e9\\n"',
  '"a # b"',
  '"x" # c',
  "'it''s'",
  '{a: 1}',
  '{ a: "x, y" , b: -2 }',
  '[a, b]',
  '[a, [b, c], {d: e}]',
  '{}',
  '[]',
  '[1, -2, .5, true, null, "s", \'t\']',
]
const scalarText = fc.oneof({weight: 6, arbitrary: fc.constantFrom(...LIKELY_SCALARS)}, {weight: 1, arbitrary: fc.constantFrom(...SCALARS)})
const LIKELY_KEYS = ['a', 'b', 'id', 'next', 'when', 'x_y', 'key-1', '_k', 'steps', 'send', 'channel']
const keyText = fc.oneof({weight: 8, arbitrary: fc.constantFrom(...LIKELY_KEYS)}, {weight: 1, arbitrary: fc.constantFrom(...KEYS)})

type Node = {kind: 'scalar'; text: string} | {kind: 'map'; entries: [string, Node][]} | {kind: 'seq'; items: Node[]}

const node: fc.Memo<Node> = fc.memo((depth) => {
  const scalar = scalarText.map((text): Node => ({kind: 'scalar', text}))
  if (depth <= 1) return scalar
  return fc.oneof(
    {weight: 3, arbitrary: scalar},
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(keyText, node(depth - 1)), {minLength: 1, maxLength: 4})
        .map((entries): Node => ({kind: 'map', entries})),
    },
    {weight: 1, arbitrary: fc.array(node(depth - 1), {minLength: 1, maxLength: 3}).map((items): Node => ({kind: 'seq', items}))},
  )
})

/** Block YAML for a map; `step` is the indentation of nested blocks, `sameIndentSeq` puts sequences under their key. */
function render(root: [string, Node][], style: {step: number; sameIndentSeq: boolean; trailing: string}): string {
  const lines: string[] = []
  const pad = (n: number) => ' '.repeat(n)
  const block = (value: Node, indent: number, prefix: string) => {
    if (value.kind === 'scalar') lines.push(`${prefix} ${value.text}${style.trailing}`.replace(/ $/, value.text === '' ? '' : ' '))
    else if (value.kind === 'map') {
      lines.push(prefix)
      entries(value.entries, indent + style.step)
    } else {
      lines.push(prefix)
      items(value.items, style.sameIndentSeq ? indent : indent + style.step)
    }
  }
  const entries = (list: [string, Node][], indent: number) => {
    for (const [key, value] of list) block(value, indent, `${pad(indent)}${key}:`)
  }
  const items = (list: Node[], indent: number) => {
    for (const item of list) {
      if (item.kind === 'scalar') lines.push(`${pad(indent)}- ${item.text}${style.trailing}`)
      else if (item.kind === 'map') {
        const [first, ...rest] = item.entries
        if (!first) continue
        block(first[1], indent + 2, `${pad(indent)}- ${first[0]}:`)
        entries(rest, indent + 2)
      } else {
        lines.push(`${pad(indent)}-`)
        items(item.items, indent + style.step)
      }
    }
  }
  entries(root, 0)
  return `${lines.join('\n')}\n`
}

const document = fc
  .tuple(
    fc.array(fc.tuple(keyText, node(4)), {minLength: 1, maxLength: 5}),
    fc.constantFrom(1, 2, 2, 2, 3, 4),
    fc.boolean(),
    fc.constantFrom('', '', '', ' ', '  # note'),
  )
  .map(([entries, step, sameIndentSeq, trailing]) => render(entries, {step, sameIndentSeq, trailing}))

/** Comment lines, blank lines and stray characters put in at random places. */
const noisy = fc
  .tuple(
    document,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('# c', '   # c', '', '  ', '\t', '---', '...', 'x', ' x: 1', '- y', '%YAML 1.2', 'a: |', '  more'),
      ),
      {
        maxLength: 3,
      },
    ),
  )
  .map(([text, inserts]) => {
    const lines = text.split('\n')
    for (const [at, line] of inserts) lines.splice(at % (lines.length + 1), 0, line)
    return lines.join('\n')
  })

describe('fastYamlValue', () => {
  it("agrees with yaml on every journey, test and config file of the project's templates, examples and fixtures", () => {
    const files = [
      ...yamlFiles(path.join(root, 'templates')),
      ...yamlFiles(path.join(root, 'examples')),
      ...yamlFiles(path.join(root, 'test/fixtures')),
    ]
    const outcomes = files.map((file) => agrees(readFileSync(file, 'utf8')))
    // The templates are what the subset is for: nearly all of them take the fast way.
    expect(outcomes.filter((o) => o === 'fast').length).toBeGreaterThan(files.length / 2)
  })

  it('agrees with yaml on generated documents, or leaves them to it', () => {
    let fast = 0
    fc.assert(
      fc.property(document, (text) => {
        if (agrees(text) === 'fast') fast++
      }),
      {seed: Number(process.env.FY_SEED ?? 2026), numRuns: Number(process.env.FY_RUNS ?? 3000)},
    )
    // Enough of them are answered for the comparison to mean something.
    if (process.env.FY_RUNS) console.log('fast answers', fast)
    expect(fast).toBeGreaterThan(300)
  })

  it('agrees with yaml when comments, blank lines and stray lines are put in', () => {
    fc.assert(
      fc.property(noisy, (text) => {
        agrees(text)
      }),
      {seed: Number(process.env.FY_SEED ?? 12), numRuns: Number(process.env.FY_RUNS ?? 3000)},
    )
  })

  it('agrees with yaml on the templates with a few characters changed', () => {
    const templates = yamlFiles(path.join(root, 'templates')).map((file) => readFileSync(file, 'utf8'))
    const edit = fc.tuple(
      fc.nat(),
      fc.nat(3),
      fc.constantFrom(
        '',
        ' ',
        '  ',
        '\n',
        ':',
        ': ',
        '-',
        '- ',
        '#',
        ' #',
        '"',
        "'",
        '{',
        '}',
        '[',
        ']',
        ',',
        'x',
        '1',
        '.',
        '\\',
        '&',
        '*',
        '!',
        '|',
        '>',
        '?',
        '%',
        '@',
        '`',
        '~',
        'é',
      ),
    )
    fc.assert(
      fc.property(fc.nat(), fc.array(edit, {minLength: 1, maxLength: 3}), (which, edits) => {
        let text = templates[which % templates.length] as string
        for (const [at, remove, insert] of edits) {
          const i = at % (text.length + 1)
          text = text.slice(0, i) + insert + text.slice(i + remove)
        }
        agrees(text)
      }),
      {seed: Number(process.env.FY_SEED ?? 7), numRuns: Number(process.env.FY_RUNS ?? 3000)},
    )
  })

  it('leaves what it does not read to yaml', () => {
    for (const text of [
      '',
      '# only a comment\n',
      '- a\n',
      'a: 1\n---\nb: 2\n',
      'a: &x 1\nb: *x\n',
      'a: |\n  text\n',
      'a: b\n  c\n',
      'a: 1\r\nb: 2\n',
      'a:\tb\n',
    ]) {
      expect(fastYamlValue(text), JSON.stringify(text)).toBeUndefined()
    }
    expect(fastYamlValue('a: 1\nb: [x, "y"]\nc:\n  - d: .5\n    e: ~\n')).toEqual({value: {a: 1, b: ['x', 'y'], c: [{d: 0.5, e: null}]}})
  })
})
