/** Moments of the editor's loading, as performance marks on the page (bench/editor-types.ts reads them). */

/** The editor can be typed in. */
export const EDITOR_READY_MARK = 'ctl:editor-ready';
/** The editor's marks are TypeScript's for the first time: the packages' declarations are in and every file is checked. */
export const TYPES_READY_MARK = 'ctl:types-ready';
