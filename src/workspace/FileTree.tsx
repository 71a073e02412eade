import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { type Folder, folderTree } from './folder-tree.ts';

interface Props {
  paths: string[];
  focus: string[];
  active: string;
  edited: ReadonlySet<string>;
  onOpen: (path: string) => void;
  /** Each returns why it cannot (shown beside the field), or null once done. */
  onCreate: (path: string) => string | null;
  onRename: (from: string, to: string) => string | null;
  onDelete: (path: string) => void;
  /** Saves the shop, as the learner has it, as a zip. */
  onDownload: () => void;
}

type Form = { mode: 'new'; value: string } | { mode: 'rename'; from: string; value: string };

/**
 * The lesson's focus files first (full paths, the folder cut before the file's name is), then every
 * file of the sandbox as a folder tree; the full path shows on hover. New, rename and delete act on files.
 */
export function FileTree({ paths, focus, active, edited, onOpen, onCreate, onRename, onDelete, onDownload }: Props) {
  const [form, setForm] = useState<Form | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const rest = paths.filter((path) => !focus.includes(path)).sort();
  const folder = active.includes('/') ? `${active.slice(0, active.lastIndexOf('/'))}/` : '';

  const open = (next: Form | null) => {
    setForm(next);
    setProblem(null);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!form) return;
    const path = form.value.trim();
    const why = form.mode === 'new' ? onCreate(path) : onRename(form.from, path);
    if (why) setProblem(why);
    else open(null);
  };
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') open(null);
  };

  const item = (path: string, withFolder: boolean) => {
    const slash = path.lastIndexOf('/') + 1;
    return (
      <li key={path}>
        <button type="button" className="file-button" aria-current={path === active ? 'true' : undefined} onClick={() => onOpen(path)} title={path}>
          {withFolder && slash > 0 && <span className="file-folder">{path.slice(0, slash)}</span>}
          <span className="file-name">{path.slice(slash)}</span>
          {edited.has(path) && <span className="edited-dot" role="img" aria-label="edited" title="You edited this file" />}
        </button>
      </li>
    );
  };
  const folderItems = (folder: Folder) => [
    ...folder.folders.map((child) => (
      <li key={child.path}>
        <details open className="folder">
          <summary title={child.path}>{child.name}</summary>
          <ul>{folderItems(child)}</ul>
        </details>
      </li>
    )),
    ...folder.files.map((path) => item(path, false)),
  ];
  return (
    <nav className="file-tree" aria-label="Sandbox files">
      <div className="file-actions">
        <button type="button" className="button small" onClick={() => open({ mode: 'new', value: folder })}>
          New file
        </button>
        <button type="button" className="button small" disabled={!active} onClick={() => open({ mode: 'rename', from: active, value: active })}>
          Rename
        </button>
        <button type="button" className="button small" disabled={!active} onClick={() => onDelete(active)}>
          Delete
        </button>
      </div>
      {form && (
        <form className="file-form" onSubmit={submit} onKeyDown={cancelOnEscape}>
          <label>
            {form.mode === 'new' ? 'New file path' : `Rename ${form.from} to`}
            <input
              // biome-ignore lint/a11y/noAutofocus: the field appears because the learner asked for it.
              autoFocus
              value={form.value}
              spellCheck={false}
              aria-invalid={problem ? 'true' : undefined}
              aria-describedby={problem ? 'file-form-problem' : undefined}
              onChange={(event) => setForm({ ...form, value: event.target.value })}
            />
          </label>
          <div className="file-form-buttons">
            <button type="submit" className="button small primary">
              {form.mode === 'new' ? 'Create' : 'Rename'}
            </button>
            <button type="button" className="button small" onClick={() => open(null)}>
              Cancel
            </button>
          </div>
          {problem && (
            <p id="file-form-problem" className="file-form-problem" role="alert">
              {problem}
            </p>
          )}
        </form>
      )}
      <h3>In this lesson</h3>
      <ul>{focus.filter((path) => paths.includes(path)).map((path) => item(path, true))}</ul>
      <details>
        <summary>All files ({rest.length})</summary>
        <ul className="folder-tree">{folderItems(folderTree(rest))}</ul>
      </details>
      <button
        type="button"
        className="button small file-download"
        onClick={onDownload}
        title="Your files as they are now, as a project of its own: npm install, then npm run dev"
      >
        Download the shop (.zip)
      </button>
    </nav>
  );
}
