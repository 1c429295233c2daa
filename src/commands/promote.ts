import {Args, Flags} from '@oclif/core'
import {envContext} from '../cli/deploy-context.js'
import {changesText, runPrepared} from '../cli/deploy-flow.js'
import {bypassOf, colorFlag, configFlag, dryRunFlag, gateFlags, lockTimeoutFlag, messageFlag, yesFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import type {DeployResult} from '../core/deploy/apply.js'
import {preparePromote} from '../core/deploy/operations.js'

export default class Promote extends JoeCommand<DeployResult> {
  static override summary = 'Deploy to one environment exactly the revisions active in another'

  static override description =
    `Copies the revisions active in --from (every journey, or the named ones) to --to: not the files in your working tree, but the exact revisions that ran there. This is how revisions reach a protected environment whose promote_from is --from. The plan is shown and confirmed like a deploy, all deploy gates apply, and the ledger of --to records where each revision came from. Promotion never removes journeys.`

  static override examples = [
    {description: 'Promote everything from staging to prod', command: '<%= config.bin %> <%= command.id %> --from staging --to prod'},
    {
      description: 'One journey, from CI',
      command: '<%= config.bin %> <%= command.id %> --from staging --to prod cart-abandonment --yes -m "release 12"',
    },
  ]

  static override strict = false

  static override args = {journeys: Args.string({description: 'Journey ids (default: every journey active in --from).'})}

  static override flags = {
    from: Flags.string({description: 'The environment to copy revisions from.', helpValue: 'ENV', required: true}),
    to: Flags.string({description: 'The environment to deploy them to.', helpValue: 'ENV', required: true}),
    'dry-run': dryRunFlag,
    yes: yesFlag,
    message: messageFlag,
    ...gateFlags,
    'lock-timeout': lockTimeoutFlag,
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<DeployResult> {
    const {argv, flags} = await this.parse(Promote)
    const context = await envContext(flags.to, flags.config)
    const prepared = await preparePromote({...context, from: flags.from, journeys: argv as string[], bypass: bypassOf(flags)})
    const {result, refused} = await runPrepared({
      prepared,
      context,
      flags,
      question: `Promote ${changesText(prepared.plan.changes.length, 'revision')} from ${flags.from} to ${prepared.plan.env}?`,
      json: this.jsonEnabled(),
      log: (text) => this.log(text),
    })
    if (refused) this.exitWith(1)
    return result
  }
}
