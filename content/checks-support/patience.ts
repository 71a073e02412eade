// How long a check waits for something that should happen (a span to arrive, a backend to start),
// scaled by how busy the computer is right now: measured once per Check, in 40 ms, as how much of
// the time this process actually ran. Idle, the factor is 1 and a wrong answer fails fast; with
// other programs taking the processor, waits grow instead of failing a right answer, up to three
// times (beyond that a Check would keep the learner waiting for minutes: it runs out of time, and
// says the machine is busy, instead).
const SAMPLE_MS = 40;
const MOST = 3;

function busyFactor(): number {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let spin = 0;
  while (performance.now() - started < SAMPLE_MS) spin++;
  const used = process.cpuUsage(cpu);
  const ranMs = (used.user + used.system) / 1000;
  return spin > 0 ? Math.min(MOST, Math.max(1, SAMPLE_MS / Math.max(ranMs, 1))) : 1;
}

/** How many times slower than idle the computer is right now (1 when idle). */
export const busy = busyFactor();

/** `ms` as this computer needs it right now. */
export const patient = (ms: number): number => Math.round(ms * busy);
