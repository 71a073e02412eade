import './instrument.ts';
import * as Sentry from '@sentry/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

createRoot(document.getElementById('root')!, {
  // Errors React catches or cannot recover from go to Sentry too.
  onUncaughtError: Sentry.reactErrorHandler(),
  onCaughtError: Sentry.reactErrorHandler(),
}).render(
  <StrictMode>
    <Sentry.ErrorBoundary fallback={<p>Something went wrong. Reload the page.</p>}>
      <App />
    </Sentry.ErrorBoundary>
  </StrictMode>,
);
