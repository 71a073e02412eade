// Imported first by main.tsx, so the SDK starts before the app renders. Initialise it here.
export {};
