// A minimal event emitter for the operator's stores: views subscribe while mounted and
// unsubscribe when they go; a failing listener does not stop the others.

export class Emitter {
  constructor() {
    this.listeners = new Map(); // event -> Set of listeners
  }

  /** Listen for an event; returns the function that stops listening. */
  on(event, listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(listener);
    return () => this.listeners.get(event)?.delete(listener);
  }

  emit(event, detail) {
    for (const listener of [...(this.listeners.get(event) || [])]) {
      try {
        listener(detail);
      } catch (error) {
        console.error(`listener of ${event} failed`, error);
      }
    }
  }
}

/** Run every function in the list (unsubscribers, timers' clearers) once. */
export function stopAll(stoppers) {
  for (const stop of stoppers.splice(0)) stop();
}
