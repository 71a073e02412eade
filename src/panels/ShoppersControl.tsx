import { useSession } from '../workspace/use-session.ts';

const RATES = [10, 30, 60, 120];

/** Starts and stops the sandbox's shopper simulator (`npm run shoppers`, run by the session), the traffic dashboards chart. */
export function ShoppersControl() {
  const [state, session] = useSession();
  const { running, perMinute } = state.shoppers;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of controls, not a form to fill in.
    <div className="shoppers" role="group" aria-label="Shopper simulator">
      <button
        type="button"
        className="button"
        aria-pressed={running}
        disabled={!session.runtime}
        onClick={() => (running ? session.stopShoppers() : void session.startShoppers())}
      >
        {running ? 'Stop shoppers' : 'Start shoppers'}
      </button>
      <label>
        <span className="visually-hidden">Shoppers per minute</span>
        <select
          aria-label="Shoppers per minute"
          value={perMinute}
          onChange={(event) => {
            const next = Number(event.target.value);
            if (running) void session.startShoppers(next);
            else session.setShopperRate(next);
          }}
        >
          {RATES.map((r) => (
            <option key={r} value={r}>
              {r} / min
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
