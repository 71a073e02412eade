/**
 * Adds a stylesheet to the page once and resolves when it applies. The editor and the terminal
 * bring their stylesheets this way, when they load, so neither blocks the lesson's first paint.
 */
const loading = new Map<string, Promise<void>>();

export function loadStylesheet(href: string): Promise<void> {
  let loaded = loading.get(href);
  if (!loaded) {
    loaded = new Promise((resolve, reject) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      link.onload = () => resolve();
      link.onerror = () => reject(new Error(`the stylesheet ${href} did not load`));
      document.head.append(link);
    });
    loading.set(href, loaded);
  }
  return loaded;
}
