import {Readable, Transform} from 'node:stream'
import {createGzip, deflateSync, gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {decodeBody, decoderFor} from '../../src/server/body-decoding.js'

/** Drains a stream: the bytes it gave and the error it ended with. */
async function drain(stream: Readable): Promise<{bytes: number; text: string; error?: Error & {statusCode?: number}}> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    return {bytes: Buffer.concat(chunks).length, text: Buffer.concat(chunks).toString()}
  } catch (error) {
    return {bytes: Buffer.concat(chunks).length, text: '', error: error as Error}
  }
}

describe('decoding request bodies', () => {
  it('names the encodings it takes', () => {
    expect(['gzip', 'x-gzip', 'GZIP', 'deflate', 'identity', '', 'br'].map(decoderFor)).toEqual([
      'gzip',
      'gzip',
      'gzip',
      'deflate',
      'identity',
      'identity',
      undefined,
    ])
  })

  it('decodes gzip and deflate bodies and counts the bytes that came over the wire', async () => {
    const body = JSON.stringify({batch: [{type: 'track', userId: 'u', event: 'e'}]})
    for (const [encoding, encoded] of [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
    ] as const) {
      const decoded = decodeBody(Readable.from([encoded]), encoding, 1_000)
      expect(await drain(decoded)).toEqual({bytes: body.length, text: body})
      expect((decoded as unknown as {receivedEncodedLength: number}).receivedEncodedLength).toBe(encoded.length)
    }
  })

  it('refuses a broken stream with 400', async () => {
    const result = await drain(decodeBody(Readable.from([Buffer.from('not gzip at all')]), 'gzip', 1_000))
    expect(result.error?.statusCode).toBe(400)
  })

  it('stops decompressing an endless body at the limit (413) and stops reading it', async () => {
    // Hex digits of a fixed-seed generator: they compress about 2:1, so reading on would show.
    let seed = 7
    const source = new Readable({
      read() {
        let text = ''
        for (let i = 0; i < 8_192; i++) {
          seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
          text += (seed % 16).toString(16)
        }
        this.push(text)
      },
    })
    let read = 0
    const payload = source.pipe(createGzip()).pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          read += chunk.length
          done(null, chunk)
        },
      }),
    )
    const result = await drain(decodeBody(payload, 'gzip', 500 * 1024))
    expect(result.error?.statusCode).toBe(413)
    expect(result.bytes).toBeLessThanOrEqual(500 * 1024)
    // Nothing reads the payload any more: at most what the streams' buffers hold passes after the refusal.
    const atRefusal = read
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(read - atRefusal).toBeLessThan(256 * 1024)
    expect(read).toBeLessThan(1024 * 1024)
    source.destroy()
  })
})
