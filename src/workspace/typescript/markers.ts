/**
 * TypeScript's diagnostics as Monaco's markers: the squiggle's range, its severity, the message as
 * tsc prints it, and faded or struck-through text for unused and deprecated code.
 */
import type * as Monaco from 'monaco-editor';

type MonacoApi = typeof Monaco;
type Diagnostic = Monaco.typescript.Diagnostic;

function messageText(message: Diagnostic['messageText'], indent = 0): string {
  if (typeof message === 'string') return message;
  const own = `${'  '.repeat(indent)}${message.messageText}`;
  return [own, ...(message.next ?? []).map((next) => messageText(next, indent + 1))].join('\n');
}

function range(model: Monaco.editor.ITextModel, start = 0, length = 1) {
  const from = model.getPositionAt(start);
  const to = model.getPositionAt(start + Math.max(length, 1));
  return { startLineNumber: from.lineNumber, startColumn: from.column, endLineNumber: to.lineNumber, endColumn: to.column };
}

export function toMarker(monaco: MonacoApi, model: Monaco.editor.ITextModel, diagnostic: Diagnostic): Monaco.editor.IMarkerData {
  const { MarkerSeverity, MarkerTag } = monaco;
  // TypeScript's categories: 0 warning, 1 error, 2 suggestion, 3 message.
  const severity = [MarkerSeverity.Warning, MarkerSeverity.Error, MarkerSeverity.Hint, MarkerSeverity.Info][diagnostic.category];
  const related = (diagnostic.relatedInformation ?? []).flatMap((info) => {
    const resource = info.file ? monaco.editor.getModel(monaco.Uri.parse(info.file.fileName)) : model;
    return resource ? [{ resource: resource.uri, message: messageText(info.messageText), ...range(resource, info.start, info.length ?? 1) }] : [];
  });
  return {
    severity,
    message: messageText(diagnostic.messageText),
    code: String(diagnostic.code),
    source: 'ts',
    ...range(model, diagnostic.start, diagnostic.length ?? 1),
    tags: [...(diagnostic.reportsUnnecessary ? [MarkerTag.Unnecessary] : []), ...(diagnostic.reportsDeprecated ? [MarkerTag.Deprecated] : [])],
    relatedInformation: related,
  };
}
