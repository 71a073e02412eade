import { lazy, Suspense, useEffect, useState } from 'react';

const Workspace = lazy(() => import('./Workspace.tsx'));

interface Props {
  lessonId: string;
  focus: string[];
}

/** What shows until the workspace has loaded: the lesson's files, in plain markup (also rendered on the server). */
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
      <noscript>
        <p>The workspace needs JavaScript. The lesson itself reads fine without it.</p>
      </noscript>
    </div>
  );
}

/**
 * The lesson page's island. It hydrates once the browser is idle after the first paint, and only
 * then loads the workspace itself, so nothing of the workspace delays the prose.
 */
export default function WorkspaceIsland({ lessonId, focus }: Props) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (!hydrated) return <WorkspaceIntro focus={focus} />;
  return (
    <Suspense fallback={<WorkspaceIntro focus={focus} />}>
      <Workspace lessonId={lessonId} focus={focus} />
    </Suspense>
  );
}
