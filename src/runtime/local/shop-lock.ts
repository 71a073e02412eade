/**
 * One shop per machine. Its ports (5173, 3001, 8969) are fixed, so a second sandbox running it —
 * a second tab, a second course server — would half-work against the first. Every page claims
 * the machine's sandbox before it gets one; the holder is written to a file in the sandboxes
 * folder, which every course server of this user shares. A claim while a live session holds it
 * fails with code `busy` and names the holder; `takeOver` ends the holder, wherever it runs.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ownIdentity, stillRunning } from './process-identity.ts';
import { reapSandbox } from './sandbox-folders.ts';
import { RuntimeError } from '../types.ts';

const holderSchema = z.object({
  /** The course server's process identity (see process-identity.ts)… */
  server: z.string(),
  /** …and its bridge (tests run several in one process). */
  bridge: z.string(),
  session: z.string(),
  /** The claiming page's title. */
  label: z.string(),
  /** The ports its shop uses. */
  ports: z.array(z.number()),
  /** The course server's address, as the page reached it. */
  url: z.string(),
  folder: z.string(),
  since: z.number(),
});
export type Holder = z.infer<typeof holderSchema>;

/** How long a takeover waits for another server to end its sandbox before reaping it itself. */
const TAKE_OVER_WAIT_MS = 10_000;

const clock = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export class ShopLock {
  readonly file: string;
  readonly #server = ownIdentity();
  readonly #bridge: string;
  /** Ends one of this server's own sessions (a takeover from another tab). */
  #endLocal: (session: string) => Promise<void>;
  #isLocalLive: (session: string) => boolean;

  constructor(sandboxesDir: string, bridge: string, local: { isLive: (session: string) => boolean; end: (session: string) => Promise<void> }) {
    this.file = join(sandboxesDir, 'shop-holder.json');
    this.#bridge = bridge;
    this.#isLocalLive = local.isLive;
    this.#endLocal = local.end;
  }

  holder(): Holder | null {
    try {
      const parsed = holderSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  #local(holder: Holder): boolean {
    return holder.server === this.#server && holder.bridge === this.#bridge;
  }

  #live(holder: Holder): boolean {
    return this.#local(holder) ? this.#isLocalLive(holder.session) : stillRunning(holder.server);
  }

  /** Whether the file still names this session (another server may have taken over). */
  holds(session: string): boolean {
    return this.holder()?.session === session;
  }

  busyMessage(holder: Holder): string {
    const where = this.#local(holder)
      ? `in another tab of this course (\u201c${holder.label}\u201d, since ${clock(holder.since)})`
      : `for another course server on this computer, ${holder.url} (\u201c${holder.label}\u201d, since ${clock(holder.since)})`;
    const ports = holder.ports.length ? ` (${holder.ports.join(', ')})` : '';
    return `The shop already runs ${where}. Its ports${ports} are fixed, so only one can run it at a time: take it over here, or go back to that one.`;
  }

  /** Makes `claim` the holder, or throws `busy` naming the live holder. */
  claim(claim: Omit<Holder, 'server' | 'bridge' | 'since'>): void {
    const holder = this.holder();
    if (holder && holder.session !== claim.session && this.#live(holder)) throw new RuntimeError(this.busyMessage(holder), 'busy');
    this.#write({ ...claim, server: this.#server, bridge: this.#bridge, since: Date.now() });
  }

  /** The holder's page changed (another lesson): a busy message names it as it is now. */
  relabel(session: string, label: string): void {
    const holder = this.holder();
    if (holder?.session === session) this.#write({ ...holder, label });
  }

  /** Ends the live holder, in this server or another, and frees the lock. */
  async takeOver(): Promise<void> {
    const holder = this.holder();
    if (!holder || !this.#live(holder)) return this.release(holder?.session ?? '');
    if (this.#local(holder)) return this.#endLocal(holder.session);
    // The other server checks the file every second: it ends its sandbox once it no longer holds it.
    this.release(holder.session);
    const deadline = Date.now() + TAKE_OVER_WAIT_MS;
    while (existsSync(holder.folder) && stillRunning(holder.server) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    if (existsSync(holder.folder)) await reapSandbox(holder.folder);
  }

  release(session: string): void {
    if (this.holder()?.session === session) rmSync(this.file, { force: true });
  }

  #write(holder: Holder): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(holder));
    renameSync(temporary, this.file);
  }
}
