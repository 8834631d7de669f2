// Small hooks shared by the views: connection state, one-method data loading, a ticking clock.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { GatewayRequestError, type ConnState, type GatewayClient } from './gateway/client.js';

export function useConnState(client: GatewayClient): ConnState {
  const [state, setState] = useState(client.state);
  useEffect(() => client.onState(setState), [client]);
  return state;
}

export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** True when the gateway answered that it does not implement a method. */
export function isNotAvailable(err: unknown): boolean {
  return err instanceof GatewayRequestError && (err.details?.code === 'UNKNOWN_METHOD' || /^unknown method/.test(err.message));
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  notAvailable: boolean;
  loading: boolean;
  reload(): void;
}

/** Calls `method` whenever the connection (re)opens or resumes with a gap, and on reload(). */
export function useGatewayData<T>(client: GatewayClient, method: string, params?: unknown, deps: unknown[] = []): Loaded<T> {
  const conn = useConnState(client);
  const connected = conn.phase === 'connected';
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [notAvailable, setNotAvailable] = useState(false);
  const [loading, setLoading] = useState(false);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  useEffect(() => client.on('resume.gap', reload), [client, reload]);
  useEffect(() => {
    if (!connected) return;
    if (!client.supports(method)) {
      setNotAvailable(true);
      return;
    }
    let live = true;
    setLoading(true);
    client.request<T>(method, params).then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
        setNotAvailable(false);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setNotAvailable(isNotAvailable(e));
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [client, connected, method, version, ...deps]);
  return { data, error, notAvailable, loading, reload };
}

/** How many devices wait for pairing approval (for the nav badge and the title); 0 when unknown. */
export function usePendingPairings(client: GatewayClient): number {
  const conn = useConnState(client);
  const connected = conn.phase === 'connected';
  const [count, setCount] = useState(0);
  useEffect(() => {
    if (!connected || !client.supports('device.pair.list')) return setCount(0);
    let live = true;
    const load = () =>
      client.request<{ pending?: unknown[] }>('device.pair.list', {}).then(
        (d) => live && setCount(d?.pending?.length ?? 0),
        () => live && setCount(0),
      );
    void load();
    const offs = [client.on('device.pair.requested', load), client.on('device.pair.resolved', load), client.on('resume.gap', load)];
    return () => {
      live = false;
      offs.forEach((off) => off());
    };
  }, [client, connected]);
  return count;
}
