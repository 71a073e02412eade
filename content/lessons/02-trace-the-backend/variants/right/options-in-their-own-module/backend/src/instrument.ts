import * as Sentry from '@sentry/node';
import { sentryOptions } from './sentry-options.ts';

// Loaded before the app, so Sentry can trace Express and the HTTP server from the first request.
Sentry.init(sentryOptions);
