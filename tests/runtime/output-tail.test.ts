/** What a re-attaching page gets back of a process's output (src/runtime/local/output-tail.ts). */
import { expect, test } from 'vitest';
import { OutputTail } from '../../src/runtime/local/output-tail.ts';

test('the newest text is kept, and every envelope frame even when the text has moved far past it', () => {
  const tail = new OutputTail();
  const frame = '\u001e@@collector {"received":1,"envelope":"e30K"}\n';
  tail.push(`first line\n${frame.slice(0, 10)}`);
  tail.push(frame.slice(10));
  for (let i = 0; i < 5000; i++) tail.push(`log line ${i} ${'.'.repeat(80)}\n`);
  tail.push('a prompt without its newline');
  const replay = tail.replay();
  expect(replay.startsWith(frame)).toBe(true);
  expect(replay).not.toContain('first line');
  expect(replay).toContain('log line 4999');
  expect(replay.endsWith('a prompt without its newline')).toBe(true);
  expect(replay.length).toBeLessThan(300 * 1024);
});
