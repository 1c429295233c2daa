// Credentials in URLs: the one place that decides what is secret in a URL and how it is shown.
// Everything that shows or stores a URL (deploy store URLs in plans, results and errors; webhook
// and provider URLs in `joe serve`) goes through maskUrl, and error texts that may echo a URL
// through redactSecrets.

/** What replaces a secret. */
export const MASK = '***'

/**
 * Query (and fragment) parameters whose value is a credential: password, sslpassword, pwd, pass,
 * passphrase, secret, client_secret, token, access_token, auth, authorization, key, api_key,
 * apikey, sslkey, signature, sig, credential(s)… matched on the decoded name, case-insensitively.
 */
const SECRET_PARAM = /pass|pwd|secret|token|auth|key|sig|credential/i

/** Schemes whose user name names a database role rather than carrying a token. */
const ROLE_SCHEMES = new Set(['postgres:', 'postgresql:', 'mysql:', 'mariadb:', 'mongodb:', 'mongodb+srv:', 'redis:', 'rediss:', 'amqp:'])

interface UrlParts {
  /** `scheme:` in lower case. */
  scheme: string
  /** Text before the user info: `scheme://`. */
  prefix: string
  /** Raw user info (without the `@`), or undefined when there is none. */
  userinfo: string | undefined
  /** Everything after the user info's `@` (or after `//`) up to the query. */
  hostAndPath: string
  /** Raw query without `?`, or undefined. */
  query: string | undefined
  /** Raw fragment without `#`, or undefined. */
  fragment: string | undefined
}

/**
 * A URL with every credential replaced by `***`: the password of the user info, the user info as a
 * whole when it is a lone token (`https://TOKEN@host`; database URLs keep their role name), and the
 * value of every query or fragment parameter named like a credential (`password=`, `sslpassword=`,
 * `token=`, `api_key=`…). The rest of the text is kept byte for byte. Text that is not a URL is
 * returned with anything between `//` and the last `@` masked, so a mangled URL never leaks more.
 */
export function maskUrl(url: string): string {
  const parts = splitUrl(url)
  if (!parts) return url.replace(/\/\/.*@/s, `//${MASK}@`)
  let out = parts.prefix
  if (parts.userinfo !== undefined) out += `${maskUserinfo(parts.userinfo, parts.scheme)}@`
  out += parts.hostAndPath
  if (parts.query !== undefined) out += `?${maskParams(parts.query)}`
  if (parts.fragment !== undefined) out += `#${maskParams(parts.fragment)}`
  return out
}

/**
 * The credentials in a URL as they may appear in other text (an error message that echoes the
 * URL or a part of it): raw and percent-decoded. Longest first, for {@link redactSecrets}.
 */
export function urlSecrets(url: string): string[] {
  const found = new Set<string>()
  const add = (raw: string) => {
    if (raw === '') return
    found.add(raw)
    found.add(safeDecode(raw))
  }
  const parts = splitUrl(url)
  if (!parts) {
    const at = /\/\/(.*)@/s.exec(url)
    if (at?.[1]) add(at[1])
  } else {
    if (parts.userinfo !== undefined) {
      const colon = parts.userinfo.indexOf(':')
      if (colon >= 0) add(parts.userinfo.slice(colon + 1))
      else if (!ROLE_SCHEMES.has(parts.scheme)) add(parts.userinfo)
    }
    for (const params of [parts.query, parts.fragment]) {
      for (const param of params?.split('&') ?? []) {
        const eq = param.indexOf('=')
        if (eq >= 0 && SECRET_PARAM.test(safeDecode(param.slice(0, eq)))) add(param.slice(eq + 1))
      }
    }
  }
  return [...found].sort((a, b) => b.length - a.length)
}

/** `text` with every occurrence of each secret replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join(MASK)
  return out
}

/**
 * Splits a URL as the WHATWG URL parser does for the parts that can hold credentials: the
 * authority runs from `//` to the first `/`, `?` or `#`, and the user info is what precedes its
 * last `@`. Undefined when the text has no `scheme:` or does not parse as a URL.
 */
function splitUrl(url: string): UrlParts | undefined {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0]
  if (!scheme) return undefined
  try {
    new URL(url)
  } catch {
    return undefined
  }
  const hash = url.indexOf('#')
  const fragment = hash >= 0 ? url.slice(hash + 1) : undefined
  const beforeHash = hash >= 0 ? url.slice(0, hash) : url
  const question = beforeHash.indexOf('?')
  const query = question >= 0 ? beforeHash.slice(question + 1) : undefined
  const main = question >= 0 ? beforeHash.slice(0, question) : beforeHash
  const rest = main.slice(scheme.length)
  if (!rest.startsWith('//')) return {scheme: scheme.toLowerCase(), prefix: scheme, userinfo: undefined, hostAndPath: rest, query, fragment}
  const afterSlashes = rest.slice(2)
  const slash = afterSlashes.indexOf('/')
  const authority = slash >= 0 ? afterSlashes.slice(0, slash) : afterSlashes
  const at = authority.lastIndexOf('@')
  return {
    scheme: scheme.toLowerCase(),
    prefix: `${scheme}//`,
    userinfo: at >= 0 ? authority.slice(0, at) : undefined,
    hostAndPath: at >= 0 ? afterSlashes.slice(at + 1) : afterSlashes,
    query,
    fragment,
  }
}

function maskUserinfo(userinfo: string, scheme: string): string {
  const colon = userinfo.indexOf(':')
  if (colon >= 0) return `${userinfo.slice(0, colon)}:${MASK}`
  return ROLE_SCHEMES.has(scheme) || userinfo === '' ? userinfo : MASK
}

function maskParams(params: string): string {
  return params
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=')
      return eq >= 0 && SECRET_PARAM.test(safeDecode(param.slice(0, eq))) ? `${param.slice(0, eq + 1)}${MASK}` : param
    })
    .join('&')
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return text
  }
}
