import { useEffect, useState } from 'react';
import type * as Monaco from 'monaco-editor';
import type { TypesState } from './typescript/type-checker.ts';

type MonacoApi = typeof Monaco;

interface Props {
  api: MonacoApi;
  /** The open file. */
  path: string;
  types: TypesState;
  onOpen: (path: string, line: number) => void;
}

interface Problem {
  path: string;
  line: number;
  message: string;
  severity: 'error' | 'warning' | 'info';
}

/** The sandbox's problems as the editor marks them (every marker but hints), the open file's first. */
function readProblems(api: MonacoApi): Problem[] {
  const severity = { [api.MarkerSeverity.Error]: 'error', [api.MarkerSeverity.Warning]: 'warning', [api.MarkerSeverity.Info]: 'info' } as const;
  return api.editor
    .getModelMarkers({})
    .filter((marker) => marker.resource.scheme === 'file' && marker.severity !== api.MarkerSeverity.Hint)
    .map((marker) => ({
      path: marker.resource.path.slice(1),
      line: marker.startLineNumber,
      message: marker.message,
      severity: severity[marker.severity as keyof typeof severity],
    }))
    .sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
}

const plural = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;

/**
 * Under the editor: whether the code has problems, in words (a squiggle is only seen), listed
 * with their lines; problems in other files too, since an edit here can break a line there.
 */
export function EditorProblems({ api, path, types, onOpen }: Props) {
  const [problems, setProblems] = useState<Problem[]>([]);
  useEffect(() => {
    setProblems(readProblems(api));
    const subscription = api.editor.onDidChangeMarkers(() => setProblems(readProblems(api)));
    return () => subscription.dispose();
  }, [api]);

  const here = problems.filter((problem) => problem.path === path);
  const elsewhere = problems.filter((problem) => problem.path !== path);
  const status =
    types.status === 'loading'
      ? 'Loading the types of the shop\u2019s packages\u2026'
      : `${here.length ? plural(here.length, 'problem') : 'No problems'} in ${path.split('/').at(-1)}${elsewhere.length ? `, ${plural(elsewhere.length, 'problem')} in other files` : ''}`;
  return (
    <div className="editor-problems" data-types={types.status} data-types-from={types.from ?? undefined} data-problems={here.length}>
      <details>
        <summary>
          <span role="status">{status}</span>
          {types.status === 'checking' && <span className="editor-problems-checking">{' (checking\u2026)'}</span>}
        </summary>
        {types.problem && <p className="editor-problems-note">{types.problem}</p>}
        <ul>
          {[...here, ...elsewhere].map((problem, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: two problems can share a line and a message; the list is rebuilt whole.
            <li key={index} data-severity={problem.severity}>
              <button type="button" onClick={() => onOpen(problem.path, problem.line)}>
                <span className="editor-problems-where">{problem.path === path ? `line ${problem.line}` : `${problem.path}, line ${problem.line}`}</span>{' '}
                {problem.message}
              </button>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
