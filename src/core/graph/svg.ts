import {JoeError} from '../errors.js'

/**
 * DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no browser, no
 * native `dot` binary, nothing to install beyond joe's own dependencies. Loaded only
 * when SVG is asked for (the module is ~1.5 MB).
 */
export async function renderSvg(dot: string): Promise<string> {
  let viz: {renderString(src: string, options: {format: string}): string}
  try {
    viz = await (await import('@viz-js/viz')).instance()
  } catch (cause) {
    throw new JoeError('JOE5007', `cannot load the SVG renderer: ${(cause as Error).message}`, {
      hint: 'reinstall joe (the @viz-js/viz package is missing or broken), or use `--format dot` and Graphviz: `dot -Tsvg`',
      cause,
    })
  }
  try {
    return viz.renderString(dot, {format: 'svg'})
  } catch (cause) {
    throw new JoeError('JOE5007', `Graphviz could not render the graph: ${(cause as Error).message}`, {cause})
  }
}
