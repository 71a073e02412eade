import { useEffect, useRef, useState } from 'react';

interface Props {
  url: string | null;
  /** Shown instead of the page while the shop is not serving yet. */
  placeholder: React.ReactNode;
  /** Changes when the shop recovers from a failure: the page it showed then is reloaded. */
  reloadKey: number;
}

/** The running shop in an iframe, with a path bar, reload, and open-in-new-tab. */
export function PreviewPanel({ url, placeholder, reloadKey }: Props) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [path, setPath] = useState('/');
  const [src, setSrc] = useState<string | null>(null);

  useEffect(() => {
    // No URL: the sandbox went away, and its page with it; the placeholder says why.
    setSrc(url ? new URL(path, url).toString() : null);
  }, [url]);

  const go = (event: React.FormEvent) => {
    event.preventDefault();
    if (!url) return;
    const target = new URL(path.startsWith('/') ? path : `/${path}`, url).toString();
    // Same URL: React would not touch the iframe, so navigate it directly.
    if (frame.current && frame.current.src === target) frame.current.src = target;
    setSrc(target);
  };

  const reload = () => {
    if (frame.current && src) frame.current.src = src;
  };

  // The shop came back after a failure: the page still shows the error it got, so load it again.
  useEffect(() => {
    if (reloadKey > 0) reload();
  }, [reloadKey]);

  return (
    <div className="preview">
      <form className="preview-bar" onSubmit={go}>
        <button type="button" className="icon-button" onClick={reload} disabled={!url} aria-label="Reload preview" title="Reload">
          ↻
        </button>
        <label className="visually-hidden" htmlFor="preview-path">
          Preview path
        </label>
        <input id="preview-path" value={path} onChange={(event) => setPath(event.target.value)} spellCheck={false} disabled={!url} />
        <a
          className="icon-button"
          href={src ?? undefined}
          target="_blank"
          rel="noreferrer"
          aria-label="Open preview in a new tab"
          title="Open in a new tab"
          aria-disabled={!url}
        >
          ↗
        </a>
      </form>
      {src ? (
        <iframe ref={frame} src={src} title="Shop preview" className="preview-frame" allow="cross-origin-isolated" />
      ) : (
        <div className="preview-placeholder">{placeholder}</div>
      )}
    </div>
  );
}
