/**
 * On narrow screens the lesson page shows one thing at a time: the lesson, the code, the preview
 * or the telemetry. The tabs set the layout's `data-view` (CSS shows the part) and tell the
 * workspace which of its panels to bring forward.
 */
export type View = 'lesson' | 'code' | 'preview' | 'telemetry';

/** What the workspace listens for; `detail` is the panel to show. */
export const SHOW_PANEL_EVENT = 'ctl:show-panel';

export function bindViewTabs(tabs: HTMLElement, layout: HTMLElement): void {
  const buttons = [...tabs.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const select = (button: HTMLButtonElement, focus = false) => {
    const view = button.dataset.view as View;
    for (const other of buttons) {
      other.setAttribute('aria-selected', String(other === button));
      other.tabIndex = other === button ? 0 : -1;
    }
    layout.dataset.view = view;
    if (view === 'preview' || view === 'telemetry') window.dispatchEvent(new CustomEvent(SHOW_PANEL_EVENT, { detail: view }));
    if (focus) button.focus();
  };
  for (const button of buttons) {
    button.tabIndex = button.getAttribute('aria-selected') === 'true' ? 0 : -1;
    button.addEventListener('click', () => select(button));
    // Arrow keys move between tabs, as in any tab list.
    button.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      event.preventDefault();
      select(buttons[(buttons.indexOf(button) + step + buttons.length) % buttons.length]!, true);
    });
  }
}
