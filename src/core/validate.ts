import type {Diagnostic} from './errors.js'
import {type AnalyzeOptions, analyzeProject} from './project/analyze.js'
import {eventTypeWarnings, localEventTypes} from './project/event-types.js'
import {VALIDATE_FORMAT_VERSION, type ValidatedFile, type ValidateResult} from './validate-result.js'

export interface ValidateOptions extends AnalyzeOptions {}

export interface DetailedValidateResult {
  result: ValidateResult
  /** File text by display path, for code frames. */
  sources: Map<string, string>
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.location.file
  const fb = b.location.file
  if (fa !== fb) return fa < fb ? -1 : 1
  return a.location.line - b.location.line || a.location.column - b.location.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
}

const count = (diagnostics: Diagnostic[], severity: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === severity).length

/** `joe validate`: every problem in every file, in one run. */
export async function validateProjectDetailed(options: ValidateOptions): Promise<DetailedValidateResult> {
  const analysis = await analyzeProject({models: false, ...options})
  const sources = new Map<string, string>()
  const files: ValidatedFile[] = []
  const diagnostics: Diagnostic[] = [...analysis.projectDiagnostics]
  if (analysis.configSource) sources.set(analysis.configSource.display, analysis.configSource.text)
  for (const file of analysis.templateFiles) {
    // Their diagnostics are among the project's already.
    if (file.text !== undefined) sources.set(file.display, file.text)
    files.push({
      file: file.display,
      kind: 'template',
      ...(file.id !== undefined ? {id: file.id} : {}),
      errorCount: count(file.diagnostics, 'error'),
      warningCount: count(file.diagnostics, 'warning'),
      infoCount: count(file.diagnostics, 'info'),
    })
  }
  // Event names are checked against the local store when the project has one (docs/journey-format.md).
  const known = localEventTypes(analysis.config)
  for (const file of analysis.files) {
    if (known && file.kind === 'journey') file.diagnostics.push(...eventTypeWarnings(file, known))
    if (file.source) sources.set(file.display, file.source.text)
    diagnostics.push(...file.diagnostics)
    files.push({
      file: file.display,
      kind: file.kind,
      ...(file.id !== undefined ? {id: file.id} : {}),
      errorCount: count(file.diagnostics, 'error'),
      warningCount: count(file.diagnostics, 'warning'),
      infoCount: count(file.diagnostics, 'info'),
    })
  }
  diagnostics.sort(compareDiagnostics)
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  return {
    result: {
      formatVersion: VALIDATE_FORMAT_VERSION,
      files,
      diagnostics,
      errorCount: count(diagnostics, 'error'),
      warningCount: count(diagnostics, 'warning'),
      infoCount: count(diagnostics, 'info'),
    },
    sources,
  }
}
