import {Args, Flags} from '@oclif/core'
import {colorEnabled} from '../cli/deploy-context.js'
import {colorFlag, configFlag} from '../cli/flags.js'
import {EXIT, JoeCommand} from '../cli/joe-command.js'
import {readPackageVersion} from '../cli/package-info.js'
import {validateProjectDetailed} from '../core/validate.js'
import {toValidateJson, type ValidateJson} from '../core/validate-json.js'

export default class Validate extends JoeCommand<ValidateJson> {
  static override summary = 'Check journey and test files for errors'

  static override description =
    `Parses every journey (*.journey.yaml) and test (*.test.yaml) file, validates it against the JSON Schema, then runs the semantic rules: step references, unreachable steps, loops without a wait, split percents, CEL expressions, template catalog, duplicate ids, and test files against their journeys. Every problem in every file is reported in one run, with file, line, column and a stable code (see docs/journey-format.md).

Exit codes: 0 no errors (warnings allowed unless --strict), 1 problems found, 2 usage error, 3 internal error.`

  static override examples = [
    {description: 'Validate the configured journeys folder', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Validate some files and folders',
      command: '<%= config.bin %> <%= command.id %> journeys/cart.journey.yaml other-journeys/',
    },
    {description: 'Annotate a pull request from GitHub Actions', command: '<%= config.bin %> <%= command.id %> --format github'},
    {description: 'Write SARIF for code scanning', command: '<%= config.bin %> <%= command.id %> --format sarif > joe.sarif'},
    {description: 'Fail on warnings too', command: '<%= config.bin %> <%= command.id %> --strict'},
  ]

  static override strict = false

  static override args = {
    paths: Args.string({description: 'Journey/test files, folders or globs (default: the `journeys` setting of joe.config.yaml).'}),
  }

  static override flags = {
    format: Flags.string({
      char: 'f',
      description: 'Output format: text for people, json (same as --json), github for Actions annotations, sarif for code scanning.',
      options: ['text', 'json', 'github', 'sarif'],
      default: 'text',
    }),
    strict: Flags.boolean({description: 'Treat warnings as errors (exit 1 when there are any).'}),
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<ValidateJson> {
    const {argv, flags} = await this.parse(Validate)
    const {result, sources} = await validateProjectDetailed({
      paths: argv as string[],
      cwd: process.cwd(),
      ...(flags.config ? {configPath: flags.config} : {}),
    })
    const failed = result.errorCount > 0 || (flags.strict && result.warningCount > 0)
    this.exitWith(failed ? EXIT.problems : EXIT.ok)
    if (this.jsonEnabled()) return toValidateJson(result)
    switch (flags.format) {
      case 'github': {
        const {renderValidateGithub} = await import('../ui/validate/github.js')
        const out = renderValidateGithub(result)
        if (out) this.log(out)
        break
      }
      case 'sarif': {
        const {toValidateSarif} = await import('../ui/validate/sarif.js')
        this.log(JSON.stringify(toValidateSarif(result, {toolVersion: await readPackageVersion()}), null, 2))
        break
      }
      default: {
        const {renderValidateText} = await import('../ui/validate/text.js')
        this.log(renderValidateText(result, {color: colorEnabled(flags.color), readSource: (file) => sources.get(file)}))
      }
    }
    return toValidateJson(result)
  }
}
