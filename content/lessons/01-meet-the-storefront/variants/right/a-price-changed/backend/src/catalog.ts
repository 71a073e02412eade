export interface Product {
  id: string;
  name: string;
  description: string;
  /** Price in cents, so totals never suffer from floating point. */
  priceCents: number;
  image: string;
}

/** What the shop sells. Stock levels live in inventory.ts. */
export const catalog: Product[] = [
  { id: 'trail-mug', name: 'Trail Mug', description: 'Enamel camp mug that keeps coffee warm through a slow standup.', priceCents: 1900, image: '/images/trail-mug.svg' },
  { id: 'span-tee', name: 'Span Tee', description: 'Soft cotton tee with a waterfall chart across the chest.', priceCents: 2600, image: '/images/span-tee.svg' },
  { id: 'canvas-tote', name: 'Canvas Tote', description: 'Heavy canvas tote for groceries, laptops and on-call pagers.', priceCents: 2200, image: '/images/canvas-tote.svg' },
  { id: 'trace-cap', name: 'Trace Cap', description: 'Six-panel cap, embroidered with a sampled trace id.', priceCents: 2400, image: '/images/trace-cap.svg' },
  { id: 'debug-notebook', name: 'Debug Notebook', description: 'Dot-grid notebook for sketching request paths by hand.', priceCents: 1400, image: '/images/debug-notebook.svg' },
  { id: 'latency-socks', name: 'Latency Socks', description: 'Warm wool socks in p50 grey and p99 orange.', priceCents: 1200, image: '/images/latency-socks.svg' },
];
