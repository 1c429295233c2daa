import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import {loadDeployableJourneys, planDeploy} from '../core/deploy/deploy.js'
import type {GateReport} from '../core/deploy/gates.js'
import type {DeployPlan} from '../core/deploy/plan.js'
import {writePlanFile} from '../core/deploy/plan-file.js'
import {JoeError} from '../core/errors.js'
import {colorEnabled, colorFlag, configFlag, envContext, envFlag} from '../ui/deploy/deploy-cli.js'

export type PlanCommandResult = DeployPlan & {gates: GateReport; out?: string}

export default class Plan extends JoeCommand<PlanCommandResult> {
  static override summary = 'Show what a deploy would change, and save it for `joe deploy PLAN`'

  static override description =
    `Validates the project and compares it with what is active in the environment, like \`joe deploy --dry-run\`, and shows what the gates would say (protected environment, customers in flight). With --out the plan is saved as JSON — with the environment's ledger head and every revision's canonical document — so that \`joe deploy plan.json\` applies exactly it, or refuses when the environment changed since.`

  static override examples = [
    {description: 'Show the plan for staging', command: '<%= config.bin %> <%= command.id %> --env staging'},
    {
      description: 'Save it for review, then apply it',
      command: '<%= config.bin %> <%= command.id %> --env prod --out plan.json && joe deploy plan.json --yes',
    },
  ]

  static override strict = false

  static override args = {journeys: Args.string({description: 'Journey ids, files or folders (default: every journey).'})}

  static override flags = {
    env: envFlag,
    out: Flags.string({char: 'o', description: 'Save the plan to this file (JSON).', helpValue: 'FILE'}),
    prune: Flags.boolean({description: 'Plan the removal of journeys the project no longer has.'}),
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<PlanCommandResult> {
    const {argv, flags} = await this.parse(Plan)
    if (flags.prune && argv.length > 0) {
      throw new JoeError('JOE6014', '--prune cannot be combined with named journeys', {exitCode: 2})
    }
    const context = await envContext(flags.env, flags.config)
    const {journeys} = await loadDeployableJourneys(process.cwd(), argv as string[], flags.config)
    const {plan, gates} = await planDeploy({...context, journeys, prune: flags.prune})
    if (flags.out) await writePlanFile(flags.out, plan)
    if (!this.jsonEnabled()) {
      const {renderPlan} = await import('../ui/deploy/deploy-text.js')
      this.log(renderPlan(plan, gates, {color: colorEnabled(flags.color)}))
      if (flags.out) this.log(`Saved to ${flags.out}; apply it with \`joe deploy ${flags.out}\`.`)
    }
    return {...plan, gates, ...(flags.out ? {out: flags.out} : {})}
  }
}
