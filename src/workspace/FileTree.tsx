interface Props {
  paths: string[];
  focus: string[];
  active: string;
  edited: ReadonlySet<string>;
  onOpen: (path: string) => void;
}

/** The lesson's focus files first, then every other file of the sandbox, grouped by folder. */
export function FileTree({ paths, focus, active, edited, onOpen }: Props) {
  const rest = paths.filter((path) => !focus.includes(path)).sort();
  const item = (path: string, label = path) => (
    <li key={path}>
      <button type="button" className="file-button" aria-current={path === active ? 'true' : undefined} onClick={() => onOpen(path)} title={path}>
        <span className="file-name">{label}</span>
        {edited.has(path) && <span className="edited-dot" aria-label="edited" title="You edited this file" />}
      </button>
    </li>
  );
  return (
    <nav className="file-tree" aria-label="Sandbox files">
      <h3>In this lesson</h3>
      <ul>{focus.filter((path) => paths.includes(path)).map((path) => item(path))}</ul>
      <details>
        <summary>All files ({rest.length})</summary>
        <ul>{rest.map((path) => item(path))}</ul>
      </details>
    </nav>
  );
}
