import path from 'node:path'
import {Args, Flags, type Interfaces} from '@oclif/core'
import {colorFlag, colorOutput, configFlag, instantFlag} from '../cli/flags.js'
import {EXIT, JoeCommand} from '../cli/joe-command.js'
import type {DiffOutput} from '../core/diff/run-diff.js'
import {isJoeError, JoeError} from '../core/errors.js'
import {safeText} from '../ui/safe-text.js'

/** With --exit-code, 2 means "changes": errors of any kind exit 1 (Terraform's -detailed-exitcode). */
const CHANGES = 2

export default class Diff extends JoeCommand<DiffOutput> {
  static override summary = 'Show what a journey change does: a semantic diff, and its impact on real timelines'

  static override description =
    `Compares journeys as loaded models, not as text: steps added, removed and renamed, \`next\` rewired, waits, branch conditions, split percents, sends, entry, exit, goal and settings, each with the step id, old and new value. Reordered keys, comments and formatting are no change. Every operation is classed cosmetic (names, descriptions, order), behaviour, or breaking-in-flight (a removed or renamed step where customers may be waiting, with no \`moved\` entry; spec section 7).

\`joe diff OLD NEW\` compares two journey files or ids (or two folders). \`joe diff [JOURNEYS] --base REF\` compares the working tree with a git ref (JOURNEYS: journey ids, files, folders or globs; default: the configured journeys folders); journeys are matched by id, so added, removed and renamed files are handled.

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
    old: Args.string({description: 'Old journey file, id or folder (or, with --base, journey ids, files, folders or globs to compare).'}),
    new: Args.string({description: 'New journey file, id or folder.'}),
  }

  static override flags = {
    base: Flags.string({description: 'Compare the working tree with this git ref (branch, tag, commit, origin/main).', helpValue: 'REF'}),
    impact: Flags.boolean({description: 'Simulate old and new over the event store and report the behavioural difference.'}),
    store: Flags.string({
      description: 'Event store for --impact (default: `store` in joe.config.yaml).',
      helpValue: 'PATH',
      dependsOn: ['impact'],
    }),
    from: instantFlag({description: 'Start of the --impact window (date or ISO 8601).', dependsOn: ['impact']}),
    until: instantFlag({description: 'End of the --impact window (default: the last event in the store).', dependsOn: ['impact']}),
    format: Flags.option({
      char: 'f',
      description: 'Output format: text for people, json (same as --json), markdown for a pull-request comment.',
      options: ['text', 'json', 'markdown'] as const,
      default: 'text' as const,
    })(),
    'exit-code': Flags.boolean({description: 'Exit 0 when nothing changed, 2 when something did, 1 on errors.'}),
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<DiffOutput> {
    const {argv, flags} = await this.parse(Diff)
    const {diffOutput, runDiff} = await import('../core/diff/run-diff.js')
    const progress = process.stderr.isTTY === true && !this.jsonEnabled() && !process.env.CI
    const run = await runDiff({
      cwd: process.cwd(),
      ...(flags.config ? {configPath: flags.config} : {}),
      names: argv as string[],
      ...(flags.base !== undefined ? {base: flags.base} : {}),
      ...(flags.impact
        ? {
            impact: {
              ...(flags.store ? {storePath: path.resolve(flags.store)} : {}),
              ...(flags.from !== undefined ? {from: flags.from} : {}),
              ...(flags.until !== undefined ? {until: flags.until} : {}),
              onJourney: (id: string) => {
                if (progress) process.stderr.write(`simulating old and new ${safeText(id)}…\n`)
              },
            },
          }
        : {}),
    })
    if (flags['exit-code'] && run.result.changed) this.exitWith(CHANGES)
    if (!this.jsonEnabled()) {
      const {renderDiff} = await import('../ui/diff/render-diff.js')
      // --format json turned jsonEnabled() on, so only the people's formats get here.
      this.log(await renderDiff(run, flags.format === 'markdown' ? 'markdown' : 'text', {color: colorOutput(flags.color)}))
    }
    return diffOutput(run.result)
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
