// The one place that decides which characters of data may reach a terminal. Event properties,
// customer ids, `-m` messages, git user names and YAML values (a double-quoted "\e[2J" is a real
// escape character) are data: printed raw, they could clear the screen, move the cursor, set the
// window title, hide text or reorder it (bidi controls, "Trojan Source"). Every human renderer
// passes data through safeText; JoeCommand.log passes whole outputs through safeOutput as a net.

/**
 * True for code points that must not reach a terminal raw: C0 controls (tab and newline included),
 * DEL, C1 controls (0x9b alone starts an escape sequence in many terminals), the line and paragraph
 * separators, and the bidirectional formatting characters.
 */
export function isUnsafeCodePoint(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code < 0xa0) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  )
}

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

/** How an unsafe character is shown: `\n`, `\x1b`, `\u202e`, as in a JavaScript string literal. */
function escapeOne(char: string): string {
  const named = NAMED[char]
  if (named !== undefined) return named
  const code = char.charCodeAt(0)
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * A data value made safe to print on one line: every unsafe character is shown as its escape
 * (`\x1b[2J`, `\n`), so it is visible and inert. Text without any is returned as is.
 */
export function safeText(text: string): string {
  UNSAFE.lastIndex = 0
  return UNSAFE.test(text) ? text.replace(UNSAFE, escapeOne) : text
}

// What joe's own renderers put in an output: line breaks, and colour (SGR) sequences from chalk.
const LAYOUT = /\n|\u001b\[[0-9;]*m|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * A whole rendered output made safe: keeps line breaks and, unless `color: false`, colour (SGR)
 * sequences (the renderer's layout), and escapes every other unsafe character. The net under the
 * renderers, which escape data themselves with safeText; it cannot tell a data line break from a
 * layout one.
 */
export function safeOutput(text: string, options: {color?: boolean} = {}): string {
  LAYOUT.lastIndex = 0
  if (!LAYOUT.test(text)) return text
  const keepColor = options.color ?? true
  return text.replace(LAYOUT, (match) =>
    match === '\n' || (keepColor && match.length > 1) ? match : match.length > 1 ? safeText(match) : escapeOne(match),
  )
}
