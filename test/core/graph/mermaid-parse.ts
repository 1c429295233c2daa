interface Dom {
  window: {document: unknown}
}

let parser: Promise<(text: string) => Promise<unknown>> | undefined

/** Mermaid's own parser (in jsdom): resolves when the text is valid Mermaid, rejects on a syntax error. */
export function parseMermaid(text: string): Promise<unknown> {
  parser ??= (async () => {
    // jsdom ships no type declarations; only its constructor is used here.
    const {JSDOM} = (await import('jsdom' as string)) as {JSDOM: new (html: string) => Dom}
    const dom = new JSDOM('<!doctype html><html><body></body></html>')
    Object.assign(globalThis, {window: dom.window, document: dom.window.document})
    const {default: mermaid} = await import('mermaid')
    mermaid.initialize({startOnLoad: false})
    return (t: string) => mermaid.parse(t)
  })()
  return parser.then((parse) => parse(text))
}
