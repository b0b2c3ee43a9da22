/** A small typed event emitter whose listeners cannot break the emitter: a throwing listener is reported, the others still run. */
export type Listener<A> = (arg: A) => void;

export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();
  private readonly onListenerError: (name: string, error: unknown) => void;

  constructor(onListenerError: (name: string, error: unknown) => void) {
    this.onListenerError = onListenerError;
  }

  on<K extends keyof Events>(name: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(fn as Listener<never>);
    return () => this.off(name, fn);
  }

  off<K extends keyof Events>(name: K, fn: Listener<Events[K]>): void {
    this.listeners.get(name)?.delete(fn as Listener<never>);
  }

  emit<K extends keyof Events>(name: K, arg: Events[K]): void {
    const set = this.listeners.get(name);
    if (set === undefined) return;
    for (const fn of set) {
      try {
        (fn as Listener<Events[K]>)(arg);
      } catch (e) {
        this.onListenerError(String(name), e);
      }
    }
  }
}
