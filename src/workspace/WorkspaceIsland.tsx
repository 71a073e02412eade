import { lazy, Suspense, useEffect, useState } from 'react';

const Workspace = lazy(() => import('./Workspace.tsx'));

interface Props {
  lessonId: string;
  previousLessonId?: string;
  nextLessonId?: string;
  focus: string[];
}

/**
 * What shows until the workspace has loaded: the lesson's files, in plain markup (also rendered on
 * the server). No <noscript> here: a page the ClientRouter swaps in is parsed with scripting off,
 * which turns a noscript's text into elements, and hydration then fails on it (React #418). The
 * lesson page says it outside the island.
 */
function WorkspaceIntro({ focus }: { focus: string[] }) {
  return (
    <div className="workspace-intro" role="status">
      <h2>Files in this lesson</h2>
      <ul className="focus-files">
        {focus.map((file) => (
          <li key={file}>
            <code>{file}</code>
          </li>
        ))}
      </ul>
      <p>The workspace — editor, terminal and the running shop — is loading.</p>
    </div>
  );
}

/**
 * The lesson page's island. It hydrates once the browser is idle after the first paint, and only
 * then loads the workspace itself, so nothing of the workspace delays the prose.
 */
export default function WorkspaceIsland({ lessonId, previousLessonId, nextLessonId, focus }: Props) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (!hydrated) return <WorkspaceIntro focus={focus} />;
  return (
    <Suspense fallback={<WorkspaceIntro focus={focus} />}>
      <Workspace lessonId={lessonId} previousLessonId={previousLessonId} nextLessonId={nextLessonId} focus={focus} />
    </Suspense>
  );
}
