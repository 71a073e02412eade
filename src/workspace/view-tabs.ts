/**
 * On narrow screens the lesson page shows one thing at a time, picked by one row of tabs: the
 * lesson, the code, or one of the workspace's panels (whose own tab row is hidden there, so no
 * panel has two tabs). The tabs set the layout's `data-view` (CSS shows the part) and tell the
 * workspace which of its panels to bring forward; when the workspace brings one forward itself
 * (Check shows the Checks), the tabs follow.
 */
export type View = 'lesson' | 'code' | WorkspacePanel;

/** The workspace's panels, as src/workspace/Workspace.tsx names them. */
export type WorkspacePanel = 'preview' | 'shell' | 'output' | 'telemetry' | 'checks';
const PANELS: readonly string[] = ['preview', 'shell', 'output', 'telemetry', 'checks'] satisfies WorkspacePanel[];

/** What the workspace listens for; `detail` is the panel to show. */
export const SHOW_PANEL_EVENT = 'ctl:show-panel';
/** What the workspace says when it shows a panel by itself; `detail` is the panel. */
export const PANEL_SHOWN_EVENT = 'ctl:panel-shown';

function selectTab(tabs: HTMLElement, layout: HTMLElement, view: string, { focus = false, tell = true } = {}): void {
  const buttons = [...tabs.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const button = buttons.find((candidate) => candidate.dataset.view === view);
  if (!button) return;
  for (const other of buttons) {
    other.setAttribute('aria-selected', String(other === button));
    other.tabIndex = other === button ? 0 : -1;
  }
  layout.dataset.view = view;
  if (tell && PANELS.includes(view)) window.dispatchEvent(new CustomEvent(SHOW_PANEL_EVENT, { detail: view }));
  if (focus) button.focus();
}

export function bindViewTabs(tabs: HTMLElement, layout: HTMLElement): void {
  const buttons = [...tabs.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  for (const button of buttons) {
    button.tabIndex = button.getAttribute('aria-selected') === 'true' ? 0 : -1;
    button.addEventListener('click', () => selectTab(tabs, layout, button.dataset.view!));
    // Arrow keys move between tabs, as in any tab list.
    button.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      event.preventDefault();
      const next = buttons[(buttons.indexOf(button) + step + buttons.length) % buttons.length]!;
      selectTab(tabs, layout, next.dataset.view!, { focus: true });
    });
  }
}

// One listener for the page's life (lesson pages are swapped in without a load): the tabs of
// whichever lesson page shows now follow the workspace.
if (typeof window !== 'undefined') {
  window.addEventListener(PANEL_SHOWN_EVENT, (event) => {
    const tabs = document.querySelector<HTMLElement>('.view-tabs');
    const layout = document.querySelector<HTMLElement>('.lesson-layout');
    const panel = (event as CustomEvent<WorkspacePanel>).detail;
    if (tabs && layout && layout.dataset.view !== 'lesson') selectTab(tabs, layout, panel, { tell: false });
  });
}
