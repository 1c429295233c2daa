import {type Readable, Transform} from 'node:stream'
import {createGunzip, createInflate} from 'node:zlib'

/** The Content-Encodings ingest accepts: gzip (RudderStack's default) and deflate. */
export function decoderFor(encoding: string): 'gzip' | 'deflate' | 'identity' | undefined {
  const name = encoding.trim().toLowerCase()
  if (name === '' || name === 'identity') return 'identity'
  if (name === 'gzip' || name === 'x-gzip') return 'gzip'
  if (name === 'deflate') return 'deflate'
  return undefined
}

/**
 * The decoded body of an encoded request, refused (an error with status 413) as soon as it grows
 * past `limit` bytes: decompression stops there and the request's bytes are no longer read, so a
 * small compressed body (a "zip bomb") costs at most `limit` bytes of work. The stream reports
 * `receivedEncodedLength`, the bytes that came over the wire, which fastify compares with
 * Content-Length.
 */
export function decodeBody(payload: Readable, encoding: 'gzip' | 'deflate', limit: number): Readable {
  const decoder = encoding === 'deflate' ? createInflate() : createGunzip()
  let encoded = 0
  const countEncoded = (chunk: Buffer) => {
    encoded += chunk.length
  }
  let decoded = 0
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      decoded += chunk.length
      if (decoded <= limit) return done(null, chunk)
      payload.off('data', countEncoded)
      payload.unpipe(decoder)
      payload.pause()
      decoder.destroy()
      done(Object.assign(new Error(`the decoded body is larger than ${limit} bytes`), {statusCode: 413}))
    },
  })
  decoder.on('error', (error) => limited.destroy(Object.assign(error, {statusCode: 400})))
  payload.pipe(decoder).pipe(limited)
  payload.on('data', countEncoded)
  Object.defineProperty(limited, 'receivedEncodedLength', {get: () => encoded})
  return limited
}
