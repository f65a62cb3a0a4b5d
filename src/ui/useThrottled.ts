// A value that follows `value` at most once per `ms`. The update lands in its own timer task, so
// an expensive consumer (a chart) re-renders outside the task that delivered the data, and at a
// rate a person can follow anyway.
import { useEffect, useState } from 'react';

export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const [lastMs, setLastMs] = useState(0);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = Math.max(0, lastMs + ms - performance.now());
    const id = setTimeout(() => {
      setLastMs(performance.now());
      setShown(value);
    }, wait);
    return () => clearTimeout(id);
  }, [value, shown, ms, lastMs]);
  return shown;
}
