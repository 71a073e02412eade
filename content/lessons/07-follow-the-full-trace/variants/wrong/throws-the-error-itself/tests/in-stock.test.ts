import { test } from 'vitest';

test('in-stock products load', () => {
  throw new TypeError("Cannot read properties of null (reading 'includes')");
});
