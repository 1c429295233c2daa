import {Args, Flags} from '@oclif/core'
import {colorEnabled} from '../cli/deploy-context.js'
import {colorFlag, configFlag} from '../cli/flags.js'
import {EXIT, JoeCommand} from '../cli/joe-command.js'
import {runJourneyTests} from '../core/testing/run-tests.js'
import {type TestJson, toTestJson} from '../core/testing/test-json.js'
import {renderTestGithub, renderTestJunit} from '../ui/test/test-formats.js'

export default class Test extends JoeCommand<TestJson> {
  static override summary = 'Run journey test scenarios (*.test.yaml) on the simulator'

  static override description =
    `Each case gives a customer's profile and events; joe replays them through the journey on a virtual clock and checks the expected path, sends and outcome. A failing case prints expected against actual, step by step. The report ends with coverage: steps, branch cases and split variants no case reached.

The replay of a case stops at its last event, or at \`until\` ("+3d" after the last event, or a timestamp).

Exit codes: 0 all cases passed, 1 a case failed or a file has errors, 2 usage error, 3 internal error.`

  static override examples = [
    {description: 'Run every test in the configured journeys folder', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Run one file', command: '<%= config.bin %> <%= command.id %> journeys/cart-abandonment.test.yaml'},
    {description: 'JUnit XML for CI test reporting', command: '<%= config.bin %> <%= command.id %> --format junit > joe-tests.xml'},
    {description: 'Annotations in a GitHub pull request', command: '<%= config.bin %> <%= command.id %> --format github'},
  ]

  static override strict = false

  static override args = {
    paths: Args.string({description: 'Test files or folders (default: the `journeys` setting of joe.config.yaml).'}),
  }

  static override flags = {
    format: Flags.string({
      char: 'f',
      description: 'Output format: text for people, json (same as --json), github for Actions annotations, junit for CI test reports.',
      options: ['text', 'json', 'github', 'junit'],
      default: 'text',
    }),
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<TestJson> {
    const {argv, flags} = await this.parse(Test)
    const result = await runJourneyTests({paths: argv as string[], cwd: process.cwd(), ...(flags.config ? {configPath: flags.config} : {})})
    this.exitWith(result.failed > 0 || result.diagnostics.length > 0 ? EXIT.problems : EXIT.ok)
    if (this.jsonEnabled()) return toTestJson(result)
    if (flags.format === 'github') {
      const out = renderTestGithub(result)
      if (out) this.log(out)
    } else if (flags.format === 'junit') this.log(renderTestJunit(result))
    else {
      const {renderTestText} = await import('../ui/test/test-text.js')
      this.log(renderTestText(result, {color: colorEnabled(flags.color)}))
    }
    return toTestJson(result)
  }
}
