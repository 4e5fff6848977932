/** A minimal external store for useSyncExternalStore: a listener set and a version counter. */
export class Observable {
    private listeners = new Set<() => void>();
    private version = 0;

    subscribe = (listener: () => void): (() => void) => {
        this.listeners.add(listener);
        return () => {
            this.listeners.delete(listener);
        };
    };

    getVersion = (): number => this.version;

    protected notify(): void {
        this.version++;
        for (const listener of Array.from(this.listeners)) {
            listener();
        }
    }
}
