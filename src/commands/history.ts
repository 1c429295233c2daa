import {Args, Flags} from '@oclif/core'
import {colorEnabled, envContext} from '../cli/deploy-context.js'
import {colorFlag, configFlag, envFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {envHistory, type HistoryResult} from '../core/deploy/operations.js'

export default class History extends JoeCommand<HistoryResult> {
  static override summary = "Show an environment's deployment ledger"

  static override description =
    'Prints the append-only ledger of the environment, newest first: every deploy, promotion, rollback, pause and resume, with who (git config), when, the git commit, the message, the revisions before and after, and any gate bypassed (--force, --skip-policies, --allow-drop).'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --env prod',
    '<%= config.bin %> <%= command.id %> --env prod cart-abandonment --limit 10',
  ]

  static override args = {journey: Args.string({description: 'Only this journey.'})}

  static override flags = {
    env: envFlag,
    limit: Flags.integer({char: 'n', description: 'Show at most this many entries.', min: 1}),
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<HistoryResult> {
    const {args, flags} = await this.parse(History)
    const context = await envContext(flags.env, flags.config)
    const result = await envHistory({
      ...context,
      ...(args.journey ? {journey: args.journey} : {}),
      ...(flags.limit ? {limit: flags.limit} : {}),
    })
    if (!this.jsonEnabled()) {
      const {renderHistory} = await import('../ui/deploy/deploy-text.js')
      this.log(renderHistory(result, {color: colorEnabled(flags.color)}))
    }
    return result
  }
}
