import type {DiffRun} from '../../core/diff/run-diff.js'

/**
 * `joe diff --format`: text for people, or Markdown for a pull-request comment. (`--format json` is
 * `--json`: JoeCommand prints the command's result, and no renderer runs.)
 */
export type DiffFormat = 'text' | 'markdown'

export async function renderDiff(run: DiffRun, format: DiffFormat, options: {color: boolean}): Promise<string> {
  switch (format) {
    case 'markdown':
      return (await import('./diff-markdown.js')).renderDiffMarkdown(run.result, run.versions)
    default:
      return (await import('./diff-text.js')).renderDiffText(run.result, options)
  }
}
