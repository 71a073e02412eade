import type { Plugin } from 'vite';

/**
 * Monaco's language modules name their stock workers as a fallback (`new Worker(new URL('ts.worker.js',
 * import.meta.url))`), and Vite bundles whatever a `new URL` names: TypeScript's alone is 7 MB the
 * site would build and ship for nothing. monaco-setup.ts hands Monaco every worker itself
 * (MonacoEnvironment.getWorker), so the fallback is replaced by an error that says so.
 */
export function monacoStockWorkers(): Plugin {
  const workerManager = /\/monaco-editor\/esm\/vs\/languages\/features\/\w+\/workerManager\.js$/;
  const stockWorker = /new Worker\(new URL\(['"](\w+)\.worker\.js['"], import\.meta\.url\), \{ type: "module" \}\)/g;
  return {
    name: 'checkout-trace-lab:monaco-stock-workers',
    enforce: 'pre',
    transform(code, id) {
      if (!workerManager.test(id.split('?')[0]!)) return null;
      const replaced = code.replace(stockWorker, (_, name) => `(() => { throw new Error('no ${name} worker: monaco-setup.ts gives Monaco its workers'); })()`);
      if (replaced === code) this.error(`${id}: Monaco no longer names its ${id.split('/').at(-2)} worker as expected; update ${import.meta.url}`);
      return { code: replaced, map: null };
    },
  };
}
