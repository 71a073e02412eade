import { createApp } from './app.ts';

const port = Number(process.env.BACKEND_PORT ?? 3001);

createApp().listen(port, '127.0.0.1', () => {
  console.log(`Backend listening on http://127.0.0.1:${port}`);
});
