// Batched, cached "is this user a guest?" lookups. Badges ask for one id
// each; ids asked for within `delayMs` go to the server together, at most
// `maxBatch` per request (the API's limit). Answers are cached until a
// `guests_changed` WebSocket event invalidates them; an invalidated answer is
// still shown until the new one arrives, so badges do not flicker.
import {Observable} from './observable';

export interface GuestLookupOptions {
    delayMs?: number;
    maxBatch?: number;
}

export const LOOKUP_DELAY_MS = 50;
export const LOOKUP_MAX_BATCH = 200;

export class GuestLookup extends Observable {
    private readonly cache = new Map<string, boolean>();

    /** Cached ids whose answer was invalidated and must be asked for again. */
    private readonly outdated = new Set<string>();
    private readonly queued = new Set<string>();
    private readonly inflight = new Set<string>();

    /** Ids invalidated while their request was in flight: that answer is already stale. */
    private readonly stale = new Set<string>();
    private timer: ReturnType<typeof setTimeout> | null = null;
    private readonly delayMs: number;
    private readonly maxBatch: number;

    constructor(private readonly fetchGuestIds: (userIds: string[]) => Promise<string[]>, options: GuestLookupOptions = {}) {
        super();
        this.delayMs = options.delayMs ?? LOOKUP_DELAY_MS;
        this.maxBatch = options.maxBatch ?? LOOKUP_MAX_BATCH;
    }

    /** The cached answer (possibly outdated), or undefined when never known. */
    get(userId: string): boolean | undefined {
        return this.cache.get(userId);
    }

    /** True when the answer is missing or outdated and not yet asked for. */
    needs(userId: string): boolean {
        return Boolean(userId) && (!this.cache.has(userId) || this.outdated.has(userId)) &&
            !this.queued.has(userId) && !this.inflight.has(userId);
    }

    /** Asks for `userId` in the next batch unless it is known or already asked for. */
    request(userId: string): void {
        if (!this.needs(userId)) {
            return;
        }
        this.queued.add(userId);
        if (this.timer === null) {
            this.timer = setTimeout(() => this.flush(), this.delayMs);
        }
    }

    /** Marks the given ids (all when omitted) outdated so the next render asks again. */
    invalidate(userIds?: string[]): void {
        const ids = userIds ?? [...this.cache.keys(), ...this.inflight];
        for (const id of ids) {
            if (this.cache.has(id)) {
                this.outdated.add(id);
            }
            if (this.inflight.has(id)) {
                this.stale.add(id);
            }
        }
        this.notify();
    }

    /** Sends every queued id now, in chunks of `maxBatch`. */
    flush(): Promise<void> {
        if (this.timer !== null) {
            clearTimeout(this.timer);
            this.timer = null;
        }
        const ids = [...this.queued];
        this.queued.clear();
        const batches: Array<Promise<void>> = [];
        for (let i = 0; i < ids.length; i += this.maxBatch) {
            batches.push(this.send(ids.slice(i, i + this.maxBatch)));
        }
        return Promise.all(batches).then(() => undefined);
    }

    private async send(ids: string[]): Promise<void> {
        ids.forEach((id) => this.inflight.add(id));
        let guests: Set<string> | null = null;
        try {
            guests = new Set(await this.fetchGuestIds(ids));
        } catch {
            // Leave the ids unknown: the badge stays hidden and a later render asks again.
        }
        const again: string[] = [];
        for (const id of ids) {
            this.inflight.delete(id);
            if (this.stale.delete(id)) {
                again.push(id);
            } else if (guests) {
                this.cache.set(id, guests.has(id));
                this.outdated.delete(id);
            }
        }
        if (guests) {
            this.notify();
        }
        again.forEach((id) => this.request(id));
    }
}

/** Parses the `user_ids` field of a guests_changed event (a comma-separated list). */
export function parseUserIds(value: unknown): string[] {
    if (Array.isArray(value)) {
        return value.filter((v): v is string => typeof v === 'string' && v !== '');
    }
    if (typeof value !== 'string') {
        return [];
    }
    return value.split(',').map((id) => id.trim()).filter(Boolean);
}
