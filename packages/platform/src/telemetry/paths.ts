/** Incoming requests that never get a span: probes and scrapes would drown the real traffic. */
export function isUntracedPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0] ?? '';
  return path.startsWith('/health/') || path === '/metrics';
}
