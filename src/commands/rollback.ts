import {Args, Flags} from '@oclif/core'
import {envContext} from '../cli/deploy-context.js'
import {runPrepared} from '../cli/deploy-flow.js'
import {bypassOf, colorFlag, configFlag, dryRunFlag, envFlag, gateFlags, lockTimeoutFlag, messageFlag, yesFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import type {DeployResult} from '../core/deploy/apply.js'
import {shortHash} from '../core/deploy/canonical.js'
import {prepareRollback} from '../core/deploy/operations.js'

export default class Rollback extends JoeCommand<DeployResult> {
  static override summary = 'Re-activate an earlier revision of a journey'

  static override description =
    `Makes an earlier revision of the journey active again, as a new ledger entry (the ledger is never rewritten). Without --to, the revision that was active before the current one. The plan is shown and confirmed like a deploy (--yes when not on a terminal). Only revisions that were active in this environment before are accepted, so the protected and policy gates are not run again; the customers-in-flight gate is (--allow-drop).`

  static override examples = [
    {
      description: 'Undo the last deploy of a journey',
      command: '<%= config.bin %> <%= command.id %> --env prod cart-abandonment -m "wrong coupon"',
    },
    {
      description: 'Go back to a named revision, from CI',
      command: '<%= config.bin %> <%= command.id %> --env prod cart-abandonment --to 3f2a9c1b7d2e --yes',
    },
  ]

  static override args = {journey: Args.string({description: 'The journey id.', required: true})}

  static override flags = {
    env: envFlag,
    to: Flags.string({description: 'The revision to re-activate (a hash prefix, as `joe history` shows it).', helpValue: 'REVISION'}),
    'dry-run': dryRunFlag,
    yes: yesFlag,
    message: messageFlag,
    'allow-drop': gateFlags['allow-drop'],
    'lock-timeout': lockTimeoutFlag,
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<DeployResult> {
    const {args, flags} = await this.parse(Rollback)
    const context = await envContext(flags.env, flags.config)
    const prepared = await prepareRollback({
      ...context,
      journey: args.journey,
      bypass: bypassOf(flags),
      ...(flags.to ? {to: flags.to} : {}),
    })
    const target = prepared.plan.changes[0]
    const {result, refused} = await runPrepared({
      prepared,
      context,
      flags,
      question: `Roll back ${args.journey} in ${prepared.plan.env} to ${shortHash(target?.to)}?`,
      json: this.jsonEnabled(),
      log: (text) => this.log(text),
    })
    if (refused) this.exitWith(1)
    return result
  }
}
