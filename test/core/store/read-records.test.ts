import {createInterface} from 'node:readline'
import {Readable} from 'node:stream'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {LineSplitter} from '../../../src/core/store/read-records.js'

/** The lines node:readline gives for these chunks, as joe's importer read them before. */
async function readlineLines(chunks: Buffer[]): Promise<string[]> {
  const lines: string[] = []
  const input = Readable.from(chunks, {objectMode: false})
  for await (const line of createInterface({input, crlfDelay: Number.POSITIVE_INFINITY})) lines.push(line)
  return lines
}

function splitterLines(chunks: Buffer[]): string[] {
  const lines: string[] = []
  const splitter = new LineSplitter()
  for (const chunk of chunks) splitter.write(chunk, (line) => lines.push(line))
  splitter.end((line) => lines.push(line))
  return lines
}

/** Cuts bytes at the given offsets, so line breaks and multi-byte characters straddle chunks. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.subarray(start, point))
    start = Math.max(start, point)
  }
  return chunks
}

// Line breaks of every kind, blanks, a BOM, multi-byte characters and a bad UTF-8 byte.
const piece = fc.constantFrom('a', '{"x":1}', ' ', '\n', '\r', '\r\n', '\n\r', 'é', '€', '😀', '\uFEFF', '\u2028')
const text = fc.array(piece, {maxLength: 40}).map((parts) => parts.join(''))

describe('LineSplitter', () => {
  it('splits exactly as node:readline with crlfDelay Infinity, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(200), {maxLength: 8}), fc.boolean(), async (s, offsets, badByte) => {
        const bytes = badByte ? Buffer.concat([Buffer.from(s), Buffer.from([0xc3])]) : Buffer.from(s)
        const chunks = cut(bytes, offsets)
        expect(splitterLines(chunks)).toEqual(await readlineLines(chunks))
      }),
      {seed: 20261201, numRuns: 500},
    )
  })

  it('takes a \\r at the end of one chunk and \\n at the start of the next as one line break', () => {
    expect(splitterLines([Buffer.from('a\r'), Buffer.from('\nb\r'), Buffer.from('c')])).toEqual(['a', 'b', 'c'])
  })
})
