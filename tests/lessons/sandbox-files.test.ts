import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lessonSandbox } from '../../src/lessons/sandbox-files.ts';

const shopFile = (path: string) => readFileSync(new URL(`../../sandboxes/storefront/${path}`, import.meta.url), 'utf8');

describe("a lesson's sandbox is the shop with the lessons' overlays", () => {
  test("lesson 6 starts with the shipped bug; lesson 8's solution puts the file back as in the shop, and lesson 9 starts from it", async () => {
    const inventory = 'backend/src/inventory.ts';
    expect((await lessonSandbox('06-something-broke')).start[inventory]).toContain('productInventory = null');
    expect((await lessonSandbox('08-fix-it')).solution[inventory]).toBe(shopFile(inventory));
    expect((await lessonSandbox('09-dont-watch-get-alerted')).start[inventory]).toBe(shopFile(inventory));
  });

  test("each lesson starts from every earlier lesson's solution", async () => {
    const lesson2 = await lessonSandbox('02-trace-the-backend');
    const lesson3 = await lessonSandbox('03-trace-the-frontend');
    for (const [path, contents] of Object.entries(lesson2.solution)) expect(lesson3.start[path], path).toBe(contents);
  });
});
