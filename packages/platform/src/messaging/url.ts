/** Adds `heartbeat` to the URL unless it has one, so a dead peer is noticed on a silent network. */
export function withHeartbeat(url: string, seconds: number): string {
  try {
    const u = new URL(url);
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(seconds));
    return u.toString();
  } catch {
    return url;
  }
}

/** Host and port of an AMQP URL, for logs (never the credentials). */
export function brokerOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '<invalid url>';
  }
}
