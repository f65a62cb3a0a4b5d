// Giving the event loop a turn between training or sampling steps, so a worker can answer RPC
// calls (pause, cancel, a new guidance scale, memory) while it works. A macrotask is needed:
// awaiting a resolved promise only runs microtasks, which never let a message in. setTimeout(0) is clamped to >= 4 ms once nested
// (HTML spec), a large share of a small model's step, so use setImmediate (Node) or a
// MessageChannel message (browsers, workers), which are not clamped.
export function macrotask(): Promise<void> {
  if (typeof globalThis.setImmediate === 'function') {
    return new Promise((resolve) => globalThis.setImmediate(resolve));
  }
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
