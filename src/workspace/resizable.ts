/**
 * A keyboard- and pointer-driven splitter between two panes. The handle is a focusable
 * `role="separator"`: arrow keys move it by 5%, Home/End to the limits; the size is kept per key.
 */
export interface SplitOptions {
  handle: HTMLElement;
  container: HTMLElement;
  orientation: 'horizontal' | 'vertical';
  storageKey: string;
  min?: number;
  max?: number;
  initial?: number;
  /** Applies the first pane's share, in percent of the container. */
  apply: (percent: number) => void;
}

export function makeResizable({ handle, container, orientation, storageKey, min = 20, max = 80, initial = 50, apply }: SplitOptions): () => void {
  const clamp = (value: number) => Math.min(max, Math.max(min, value));
  let percent = clamp(Number(localStorage.getItem(storageKey)) || initial);
  const set = (value: number) => {
    percent = clamp(value);
    apply(percent);
    handle.setAttribute('aria-valuenow', String(Math.round(percent)));
    localStorage.setItem(storageKey, String(Math.round(percent * 10) / 10));
  };
  handle.setAttribute('role', 'separator');
  handle.setAttribute('tabindex', '0');
  // A horizontal split (side by side) is moved left/right: its separator is vertical.
  handle.setAttribute('aria-orientation', orientation === 'horizontal' ? 'vertical' : 'horizontal');
  handle.setAttribute('aria-valuemin', String(min));
  handle.setAttribute('aria-valuemax', String(max));
  set(percent);

  const onKey = (event: KeyboardEvent) => {
    const step = event.shiftKey ? 10 : 5;
    const back = orientation === 'horizontal' ? 'ArrowLeft' : 'ArrowUp';
    const forward = orientation === 'horizontal' ? 'ArrowRight' : 'ArrowDown';
    if (event.key === back) set(percent - step);
    else if (event.key === forward) set(percent + step);
    else if (event.key === 'Home') set(min);
    else if (event.key === 'End') set(max);
    else return;
    event.preventDefault();
  };
  const onPointerDown = (event: PointerEvent) => {
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    const move = (moved: PointerEvent) => {
      const box = container.getBoundingClientRect();
      set(orientation === 'horizontal' ? ((moved.clientX - box.left) / box.width) * 100 : ((moved.clientY - box.top) / box.height) * 100);
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  };
  handle.addEventListener('keydown', onKey);
  handle.addEventListener('pointerdown', onPointerDown);
  return () => {
    handle.removeEventListener('keydown', onKey);
    handle.removeEventListener('pointerdown', onPointerDown);
  };
}
