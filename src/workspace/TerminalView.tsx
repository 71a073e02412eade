import { useEffect, useRef } from 'react';
import type { Terminal } from '@xterm/xterm';

export interface TerminalHandle {
  write: (data: string) => void;
  size: () => { cols: number; rows: number };
}

interface Props {
  /** Names the terminal's input for screen readers. */
  label: string;
  /** Names it for tests: `data-testid="terminal-<id>"`. */
  id: string;
  /** Called once the terminal exists; returns a cleanup. */
  onReady: (
    terminal: TerminalHandle,
    events: { onData: (listener: (data: string) => void) => void; onResize: (listener: (size: { cols: number; rows: number }) => void) => void },
  ) => (() => void) | undefined;
  active: boolean;
}

const themes = {
  light: { background: '#fbfaf8', foreground: '#1d1b22', cursor: '#5b3fd9', selectionBackground: '#d9d2fb' },
  dark: { background: '#16141c', foreground: '#ece9f3', cursor: '#a391ff', selectionBackground: '#3b3358' },
};
const currentTheme = () => (document.documentElement.dataset.theme === 'dark' ? themes.dark : themes.light);

/** An xterm.js terminal, loaded on demand and kept fitted to its panel. */
export function TerminalView({ label, id, onReady, active }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const fitRef = useRef<(() => void) | null>(null);

  useEffect(() => {
    let cleanup: (() => void) | undefined;
    let terminal: Terminal | undefined;
    let disposed = false;
    const observer = new ResizeObserver(() => fitRef.current?.());
    void import('./xterm.ts').then(({ Terminal, FitAddon }) => {
      if (disposed || !host.current) return;
      // minimumContrastRatio: xterm darkens or lightens any ANSI colour the shop prints to WCAG AA.
      terminal = new Terminal({
        minimumContrastRatio: 4.5,
        convertEol: true,
        fontSize: 13,
        fontFamily: 'ui-monospace, Menlo, Consolas, monospace',
        theme: currentTheme(),
        scrollback: 5000,
      });
      const fit = new FitAddon();
      terminal.loadAddon(fit);
      terminal.open(host.current);
      terminal.textarea?.setAttribute('aria-label', label);
      fitRef.current = () => {
        if (host.current?.offsetParent) fit.fit();
      };
      fitRef.current();
      observer.observe(host.current);
      const t = terminal;
      cleanup = onReady(
        { write: (data) => t.write(data), size: () => ({ cols: t.cols, rows: t.rows }) },
        { onData: (listener) => t.onData(listener), onResize: (listener) => t.onResize(listener) },
      );
    });
    const onTheme = () => {
      if (terminal) terminal.options.theme = currentTheme();
    };
    window.addEventListener('ctl:theme', onTheme);
    return () => {
      disposed = true;
      observer.disconnect();
      window.removeEventListener('ctl:theme', onTheme);
      cleanup?.();
      terminal?.dispose();
    };
  }, []);

  useEffect(() => {
    if (active) requestAnimationFrame(() => fitRef.current?.());
  }, [active]);

  return <div ref={host} className="terminal-host" data-testid={`terminal-${id}`} />;
}
