import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

// No <StrictMode>: in development it runs every effect twice, so each page load would fetch the
// products twice and show two GET /api/products requests in its trace.
createRoot(document.getElementById('root')!).render(<App />);
