import {CODES, type CodeInfo} from '../../core/codes.js'
import type {Diagnostic, Severity} from '../../core/errors.js'
import type {ValidateResult} from '../../core/validate-result.js'

/** Where people learn about joe; SARIF requires absolute URIs here. */
export const JOE_INFORMATION_URI = 'https://www.npmjs.com/package/joe-cli'

export interface SarifOptions {
  toolVersion: string
  /**
   * Absolute URL of docs/journey-format.md; each rule's helpUri is this plus `#joe2003`.
   * Default: the copy published with this version of the package.
   */
  docsUrl?: string
}

/** The subset of SARIF 2.1.0 that joe writes; see test/fixtures/sarif for the full schema. */
export interface SarifLog {
  version: '2.1.0'
  $schema: string
  runs: [SarifRun]
}

interface SarifRun {
  tool: {driver: SarifDriver}
  columnKind: 'utf16CodeUnits'
  results: SarifResult[]
}

interface SarifDriver {
  name: 'joe'
  informationUri: string
  version: string
  semanticVersion: string
  rules: SarifRule[]
}

/** SARIF's levels; joe's `info` is SARIF's `note`. */
type SarifLevel = 'error' | 'warning' | 'note'

function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'info' ? 'note' : severity
}

interface SarifRule {
  id: string
  name: string
  shortDescription: {text: string}
  fullDescription: {text: string}
  help: {text: string; markdown: string}
  helpUri: string
  defaultConfiguration: {level: SarifLevel}
}

interface SarifResult {
  ruleId: string
  /** Present when the code is in the CODES catalog (always, for diagnostics joe produces). */
  ruleIndex?: number
  level: SarifLevel
  message: {text: string}
  locations: [
    {
      physicalLocation: {
        artifactLocation: {uri: string; uriBaseId?: '%SRCROOT%'}
        region: {startLine: number; startColumn: number; endLine?: number; endColumn?: number}
      }
    },
  ]
}

/**
 * SARIF 2.1.0 for GitHub code scanning (`upload-sarif`). Deterministic: no timestamps,
 * no absolute paths for files given relative to the working directory.
 */
export function toValidateSarif(result: ValidateResult, options: SarifOptions): SarifLog {
  const docsUrl = options.docsUrl ?? `https://unpkg.com/joe-cli@${encodeURIComponent(options.toolVersion)}/docs/journey-format.md`
  const codes = Object.entries(CODES) as Array<[string, CodeInfo]>
  const ruleIndex = new Map(codes.map(([code], index) => [code, index]))
  const rules: SarifRule[] = codes.map(([code, info]) => ({
    id: code,
    name: info.name,
    shortDescription: {text: info.summary},
    fullDescription: {text: info.summary},
    help: {text: `${code} ${info.name}: ${info.summary}`, markdown: `**${code} ${info.name}**\n\n${info.summary}`},
    helpUri: `${docsUrl}#${code.toLowerCase()}`,
    defaultConfiguration: {level: sarifLevel(info.severity)},
  }))
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'joe',
            informationUri: JOE_INFORMATION_URI,
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        results: result.diagnostics.map((d) => toResult(d, ruleIndex.get(d.code))),
      },
    ],
  }
}

function toResult(d: Diagnostic, index: number | undefined): SarifResult {
  const {file, line, column, endLine, endColumn} = d.location
  const region: SarifResult['locations'][0]['physicalLocation']['region'] = {startLine: Math.max(1, line), startColumn: Math.max(1, column)}
  // Both are 1-based and endColumn is exclusive, as in SARIF; an absent endColumn means "to the end of endLine".
  if (endLine !== undefined && endLine >= region.startLine) region.endLine = endLine
  if (endColumn !== undefined && endColumn >= 1) region.endColumn = endColumn
  return {
    ruleId: d.code,
    ...(index === undefined ? {} : {ruleIndex: index}),
    level: sarifLevel(d.severity),
    message: {text: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message},
    locations: [{physicalLocation: {artifactLocation: artifactLocation(file), region}}],
  }
}

/**
 * A relative path becomes a relative URI against %SRCROOT% (the checkout, for code scanning);
 * an absolute one a file: URI. Separators become `/`, and each segment is percent-encoded.
 */
export function artifactLocation(file: string): {uri: string; uriBaseId?: '%SRCROOT%'} {
  const slashed = file.replaceAll('\\', '/')
  const encode = (p: string): string => p.split('/').map(encodeURIComponent).join('/')
  const drive = /^([A-Za-z]):\//.exec(slashed)
  if (drive) return {uri: `file:///${drive[1]}:/${encode(slashed.slice(3))}`}
  if (slashed.startsWith('/')) return {uri: `file://${encode(slashed)}`}
  return {uri: encode(slashed.replace(/^(\.\/)+/, '')), uriBaseId: '%SRCROOT%'}
}
