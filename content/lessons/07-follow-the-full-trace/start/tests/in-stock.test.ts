// Reproduce the bug you followed through the trace, as a test that fails until it is fixed.
// tests/http.ts has startBackend(): the real app on a free port, { url, close }.
import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

test.todo('in-stock products load, with only what is on the shelf');
