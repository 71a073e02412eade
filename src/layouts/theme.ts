type Theme = 'light' | 'dark';

const STORAGE_KEY = 'ctl:theme';

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(STORAGE_KEY, theme);
  window.dispatchEvent(new CustomEvent('ctl:theme', { detail: theme }));
}

/** The top bar's button: its label always says what pressing it will do. */
export function bindThemeToggle(button: HTMLButtonElement): void {
  const label = () => button.setAttribute('aria-label', `Switch to ${currentTheme() === 'dark' ? 'light' : 'dark'} theme`);
  label();
  button.addEventListener('click', () => {
    setTheme(currentTheme() === 'dark' ? 'light' : 'dark');
    label();
  });
}
