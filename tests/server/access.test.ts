import { describe, expect, test } from 'vitest';
import { LaunchAccess } from '../../src/server/access.ts';

describe('the sign-in link', () => {
  const access = () => {
    const made = new LaunchAccess();
    made.listeningOn(4321);
    return made;
  };

  test('sends the browser on to the same page of this server, without the token', () => {
    const server = access();
    const link = new URL(server.signInUrl);
    const signIn = server.signIn(new URL(`http://localhost:4321/lessons/02/?runtime=local&token=${link.searchParams.get('token')}`));
    expect(signIn).toMatchObject({ ok: true, location: '/lessons/02/?runtime=local' });
  });

  test('never sends it to another site, whatever the path', () => {
    const server = access();
    const token = new URL(server.signInUrl).searchParams.get('token');
    const signIn = server.signIn(new URL(`http://localhost:4321//evil.example/?token=${token}`));
    expect(signIn).toMatchObject({ ok: true, location: '/evil.example/' });
  });

  test('works once; a new link works again', () => {
    const server = access();
    const first = new URL(server.signInUrl);
    expect(server.signIn(new URL(first)).ok).toBe(true);
    expect(server.signIn(new URL(first)).ok).toBe(false);
    expect(server.signIn(new URL(server.newSignInUrl())).ok).toBe(true);
  });
});
