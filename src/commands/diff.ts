import path from 'node:path'
import {Args, Flags, type Interfaces} from '@oclif/core'
import {EXIT, JoeCommand} from '../cli/joe-command.js'
import {parseInstantFlag} from '../cli/project-context.js'
import type {DiffResult} from '../core/diff/run-diff.js'
import {isJoeError, JoeError} from '../core/errors.js'

/** With --exit-code, 2 means "changes": errors of any kind exit 1 (Terraform's -detailed-exitcode). */
const CHANGES = 2

export default class Diff extends JoeCommand<DiffResult> {
  static override summary = 'Show what a journey change does: a semantic diff, and its impact on real timelines'

  static override description =
    `Compares journeys as loaded models, not as text: steps added, removed and renamed, \`next\` rewired, waits, branch conditions, split percents, sends, entry, exit, goal and settings, each with the step id, old and new value. Reordered keys, comments and formatting are no change. Every operation is classed cosmetic (names, descriptions, order), behaviour, or breaking-in-flight (a removed or renamed step where customers may be waiting, with no \`moved\` entry; spec section 7).

\`joe diff OLD NEW\` compares two journey files (or two folders). \`joe diff [PATHS] --base REF\` compares the working tree with a git ref (default paths: the configured journeys folders); journeys are matched by id, so added, removed and renamed files are handled.

--impact simulates the old and the new version over the same event store and window with the same engine as \`joe simulate\`, and reports the difference: customers entering, converting, completing and exiting, messages by channel and template, and how many customers take a different path, with sample customers.

Exit codes: 0 done (with --exit-code: no changes), 1 error, 2 usage error (with --exit-code: changes found; errors are then all 1).`

  static override examples = [
    {
      description: 'Compare two versions of a journey file',
      command: '<%= config.bin %> <%= command.id %> old/cart.journey.yaml journeys/cart.journey.yaml',
    },
    {description: 'Your working tree against main', command: '<%= config.bin %> <%= command.id %> --base main'},
    {
      description: 'A pull-request comment with the simulated impact',
      command: '<%= config.bin %> <%= command.id %> --base origin/main --impact --format markdown > diff.md',
    },
    {description: 'Fail a CI step only on changes (exit 2)', command: '<%= config.bin %> <%= command.id %> --base main --exit-code'},
  ]

  static override strict = false

  static override args = {
    old: Args.string({description: 'Old journey file or folder (or, with --base, journey files, folders or globs to compare).'}),
    new: Args.string({description: 'New journey file or folder.'}),
  }

  static override flags = {
    base: Flags.string({description: 'Compare the working tree with this git ref (branch, tag, commit, origin/main).', helpValue: 'REF'}),
    impact: Flags.boolean({description: 'Simulate old and new over the event store and report the behavioural difference.'}),
    store: Flags.string({
      description: 'Event store for --impact (default: `store` in joe.config.yaml).',
      helpValue: 'PATH',
      dependsOn: ['impact'],
    }),
    from: Flags.string({description: 'Start of the --impact window (date or ISO 8601).', helpValue: 'TIME', dependsOn: ['impact']}),
    until: Flags.string({
      description: 'End of the --impact window (default: the last event in the store).',
      helpValue: 'TIME',
      dependsOn: ['impact'],
    }),
    format: Flags.string({
      char: 'f',
      description: 'Output format: text for people, json (same as --json), markdown for a pull-request comment.',
      options: ['text', 'json', 'markdown'],
      default: 'text',
    }),
    'exit-code': Flags.boolean({description: 'Exit 0 when nothing changed, 2 when something did, 1 on errors.'}),
    config: Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'}),
    color: Flags.boolean({description: 'Colour the text output (default: when stdout is a terminal).', allowNo: true}),
  }

  async run(): Promise<DiffResult> {
    const {argv, flags} = await this.parse(Diff)
    const args = argv as string[]
    if (flags.base === undefined && args.length !== 2) {
      throw new JoeError(
        'JOE5004',
        args.length < 2
          ? 'joe diff needs two journey files, or --base REF'
          : 'joe diff compares two files; to compare several, use --base REF',
        {
          hint: 'e.g. `joe diff old.journey.yaml new.journey.yaml`, or `joe diff --base main` for the working tree against main',
          exitCode: 2,
        },
      )
    }
    const from = parseInstantFlag('from', flags.from)
    const until = parseInstantFlag('until', flags.until)
    const {runDiff} = await import('../core/diff/run-diff.js')
    const progress = process.stderr.isTTY === true && !this.jsonEnabled() && !process.env.CI
    const {result, versions} = await runDiff({
      cwd: process.cwd(),
      ...(flags.config ? {configPath: flags.config} : {}),
      ...(flags.base !== undefined ? {base: flags.base, paths: args} : {pair: [args[0] as string, args[1] as string]}),
      ...(flags.impact
        ? {
            impact: {
              ...(flags.store ? {storePath: path.resolve(flags.store)} : {}),
              ...(from !== undefined ? {from} : {}),
              ...(until !== undefined ? {until} : {}),
              onJourney: (id: string) => {
                if (progress) process.stderr.write(`simulating old and new ${id}…\n`)
              },
            },
          }
        : {}),
    })
    if (flags['exit-code'] && result.changed) this.exitWith(CHANGES)
    if (this.jsonEnabled()) return result
    switch (flags.format) {
      case 'json':
        this.log(JSON.stringify(result, null, 2))
        break
      case 'markdown': {
        const {renderDiffMarkdown} = await import('../ui/diff/diff-markdown.js')
        this.log(renderDiffMarkdown(result, versions))
        break
      }
      default: {
        const {renderDiffText} = await import('../ui/diff/diff-text.js')
        this.log(renderDiffText(result, {color: flags.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)}))
      }
    }
    return result
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    if (!this.argv.includes('--exit-code')) return super.catch(error)
    // 2 means "changes" here, so usage errors become 1 like every other error.
    if (isJoeError(error) && error.exitCode === 2) {
      return super.catch(
        new JoeError(error.code, error.message, {
          exitCode: EXIT.problems,
          ...(error.hint ? {hint: error.hint} : {}),
          ...(error.where ? {where: error.where} : {}),
        }),
      )
    }
    const oclifExit = (error as {oclif?: {exit?: number}}).oclif?.exit
    if (!isJoeError(error) && oclifExit === EXIT.usage) {
      process.stderr.write(`${error.message}\n`)
      this.exit(EXIT.problems)
    }
    return super.catch(error)
  }
}
