import {Args, Flags} from '@oclif/core'
import {envContext} from '../cli/deploy-context.js'
import {changesText, runPrepared} from '../cli/deploy-flow.js'
import {bypassOf, colorFlag, configFlag, dryRunFlag, gateFlags, lockTimeoutFlag, messageFlag, yesFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import type {DeployResult} from '../core/deploy/apply.js'
import {prepareDeploy, selectDeployable} from '../core/deploy/deploy.js'
import {looksLikePlanFile, readPlanFile} from '../core/deploy/plan-file.js'
import {prepareSavedPlan} from '../core/deploy/prepare.js'
import {JoeError} from '../core/errors.js'

export default class Deploy extends JoeCommand<DeployResult> {
  static override summary = 'Deploy journeys to an environment as immutable revisions'

  static override description =
    `Validates the whole project (and refuses on any error), compares each journey's revision (a SHA-256 of its canonical model) with what is active in the environment, shows the plan — new journeys, new revisions with their \`joe diff\` summary, unchanged ones, and removals with --prune — and what every gate finds, asks for confirmation on a terminal (--yes otherwise), then applies the whole plan in one transaction and records it in the environment's ledger. Re-deploying the same content changes nothing and says so.

Gates: a protected environment accepts only what its promote_from environment runs (--force -m bypasses, recorded); config policies are simulated on the local event store first (--skip-policies bypasses, recorded); removing steps (or, with --prune, journeys) where customers may be waiting, without a \`moved\` entry, needs --allow-drop. Nothing is written to a store that fails \`joe verify\`.

Deploys to one environment are serialised by a lock; a second one waits up to --lock-timeout. \`joe deploy plan.json\` applies exactly a plan saved (and signed) by \`joe plan --out\`, and refuses it when it was edited or the environment changed since.`

  static override examples = [
    {description: 'Plan and deploy every journey to dev', command: '<%= config.bin %> <%= command.id %> --env dev'},
    {description: 'Only show the plan and the gate findings', command: '<%= config.bin %> <%= command.id %> --env staging --dry-run'},
    {
      description: 'Deploy one journey from CI',
      command: '<%= config.bin %> <%= command.id %> --env staging cart-abandonment --yes -m "PR #42"',
    },
    {description: 'Apply a reviewed plan', command: '<%= config.bin %> <%= command.id %> plan.json --yes'},
  ]

  static override strict = false

  static override args = {
    journeys: Args.string({description: 'Journey ids, files, folders or globs (default: every journey), or a saved plan file (*.json).'}),
  }

  static override flags = {
    env: Flags.string({char: 'e', description: 'Environment name from joe.config.yaml (a plan file names its own).', helpValue: 'NAME'}),
    'dry-run': dryRunFlag,
    yes: yesFlag,
    message: messageFlag,
    prune: Flags.boolean({description: 'Remove journeys active in the environment that the project no longer has.'}),
    ...gateFlags,
    'lock-timeout': lockTimeoutFlag,
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<DeployResult> {
    const {argv, flags} = await this.parse(Deploy)
    const args = argv as string[]
    const planFile = args.length === 1 && looksLikePlanFile(args[0] as string) ? (args[0] as string) : undefined
    const saved = planFile ? await readPlanFile(planFile) : undefined
    const envName = flags.env ?? saved?.env
    if (!envName)
      throw new JoeError('JOE6001', 'which environment? --env NAME is required', {hint: 'e.g. joe deploy --env dev', exitCode: 2})
    if (saved && flags.env && flags.env !== saved.env) {
      throw new JoeError('JOE6001', `the plan is for "${saved.env}", not "${flags.env}"`, {
        hint: "leave out --env to use the plan's",
        exitCode: 2,
      })
    }
    if (saved && flags.prune) throw new JoeError('JOE6014', '--prune cannot be combined with a plan file; the plan decides', {exitCode: 2})
    if (!saved && flags.prune && args.length > 0) {
      throw new JoeError('JOE6014', '--prune removes every journey not in the project, so it cannot be combined with named journeys', {
        exitCode: 2,
      })
    }
    const context = await envContext(envName, flags.config)
    const bypass = bypassOf(flags)
    const prepared =
      saved && planFile
        ? await prepareSavedPlan({...context, file: planFile, saved, bypass})
        : await prepareDeploy({
            ...context,
            journeys: await selectDeployable({cwd: process.cwd(), names: args, ...(flags.config ? {configPath: flags.config} : {})}),
            prune: flags.prune === true,
            bypass,
          })
    const {result, refused} = await runPrepared({
      prepared,
      context,
      flags,
      question: `Apply ${changesText(prepared.plan.changes.length)} to ${prepared.plan.env}?`,
      json: this.jsonEnabled(),
      log: (text) => this.log(text),
    })
    if (refused) this.exitWith(1)
    return result
  }
}
