import { describe, expect, test } from 'vitest';
import { scrubEvent, scrubPaths } from '../../src/site-monitoring/scrub.ts';

describe("what the course's monitoring may send", () => {
  test("file paths of the learner's computer become a placeholder; URLs of the site stay", () => {
    expect(scrubPaths('Could not access /tmp/ctl-sandbox-Ab12/backend/src/app.ts: EACCES')).toBe('Could not access <path>: EACCES');
    expect(scrubPaths('ENOENT: C:\\Users\\ada\\course\\dist\\x.json')).toBe('ENOENT: <path>');
    expect(scrubPaths('/home/ada/.cache/checkout-trace-lab and /Users/ada/x')).toBe('<path> and <path>');
    expect(scrubPaths('GET /sandbox/packages.json failed at http://localhost:4321/lessons/01/')).toBe(
      'GET /sandbox/packages.json failed at http://localhost:4321/lessons/01/',
    );
  });

  test('an event keeps what went wrong and loses source context, console and input breadcrumbs, extras and the user', () => {
    const event = scrubEvent({
      message: 'boot failed in /tmp/ctl-sandbox-1/package.json',
      exception: {
        values: [
          {
            value: 'x at /home/ada/code.ts',
            stacktrace: {
              frames: [
                {
                  filename: 'http://localhost:4321/_astro/a.js',
                  abs_path: '/home/ada/a.ts',
                  pre_context: ['const secret = 1;'],
                  context_line: 'throw new Error()',
                  post_context: ['}'],
                  vars: { code: 'x' },
                },
              ],
            },
          },
        ],
      },
      breadcrumbs: [
        { category: 'console', message: 'learner output' },
        { category: 'ui.input', message: 'textarea.inputarea' },
        { category: 'navigation', message: 'to /lessons/02/' },
        { category: 'fetch', message: 'GET /tmp/ctl-sandbox-1/x' },
      ],
      extra: { files: { 'app.ts': 'code' } },
      user: { ip_address: '127.0.0.1' },
    });
    expect(event.message).toBe('boot failed in <path>');
    const [frame] = event.exception!.values![0]!.stacktrace!.frames!;
    expect(frame).toEqual({ filename: 'http://localhost:4321/_astro/a.js', abs_path: '<path>' });
    expect(event.exception!.values![0]!.value).toBe('x at <path>');
    expect(event.breadcrumbs).toEqual([
      { category: 'navigation', message: 'to /lessons/02/' },
      { category: 'fetch', message: 'GET <path>' },
    ]);
    expect(event.extra).toBeUndefined();
    expect(event.user).toBeUndefined();
  });
});
