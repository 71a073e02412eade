import { useEffect, useRef, useState } from 'react';
import { evaluateRule, initialState, stepAlert, type AlertNotification, type AlertRule, type AlertState } from '../telemetry/alerts.ts';
import type { TelemetryStore } from '../telemetry/store.ts';

const EVALUATE_EVERY_MS = 2000;

/** Evaluates every rule on the live stream every 2 s; keeps each rule's state and the notifications. */
export function useAlertMonitor(store: TelemetryStore, rules: AlertRule[]) {
  const [states, setStates] = useState<Record<string, AlertState>>({});
  const [notifications, setNotifications] = useState<AlertNotification[]>([]);
  const statesRef = useRef(states);
  const rulesRef = useRef(rules);
  rulesRef.current = rules;

  useEffect(() => {
    const evaluate = () => {
      if (rulesRef.current.length === 0 && Object.keys(statesRef.current).length === 0) return;
      const now = Date.now();
      const spans = store.spans();
      const fresh: AlertNotification[] = [];
      const next: Record<string, AlertState> = {};
      for (const rule of rulesRef.current) {
        const step = stepAlert(rule, statesRef.current[rule.id] ?? initialState(rule, now), evaluateRule(rule, spans, now), now);
        next[rule.id] = step.state;
        if (step.notification) fresh.push(step.notification);
      }
      statesRef.current = next;
      setStates(next);
      if (fresh.length) setNotifications((list) => [...fresh.reverse(), ...list].slice(0, 100));
    };
    const timer = setInterval(evaluate, EVALUATE_EVERY_MS);
    return () => clearInterval(timer);
  }, [store]);

  return { states, notifications };
}
