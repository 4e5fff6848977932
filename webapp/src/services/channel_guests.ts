// Guests per channel for the header indicator: fetched once per channel and
// kept current by WebSocket events:
//   - channel_guests_changed {channel_id, guest_count}: a guest joined or left
//     that channel; the count applies at once, the guest list is reloaded.
//   - guests_changed {user_ids}: a guest's record changed (promoted,
//     deactivated, removed, or a member made a guest), which can change the
//     guests of any channel: every channel is outdated.
// Channels on screen (watched) reload at once; the others when next shown.
// At most one request per channel is in flight: a change during a request
// drops its (possibly older) answer and asks again once it returns.
import type {ChannelGuests, Client} from '../client';
import {ClientError} from '../client';

import {Observable} from './observable';

export interface ChannelGuestsEntry {
    data?: ChannelGuests;
    error?: ClientError;
    loading: boolean;
}

export class ChannelGuestsStore extends Observable {
    private readonly entries = new Map<string, ChannelGuestsEntry>();

    /** How many components show each channel. */
    private readonly watchers = new Map<string, number>();

    /** Channels whose data is outdated: the next load fetches them again. */
    private readonly outdated = new Set<string>();

    /** Channels that changed while their request was in flight. */
    private readonly again = new Set<string>();

    constructor(private readonly client: Pick<Client, 'getChannelGuests'>) {
        super();
    }

    get(channelId: string): ChannelGuestsEntry | undefined {
        return this.entries.get(channelId);
    }

    /** Marks the channel as shown until the returned function is called. */
    watch(channelId: string): () => void {
        this.watchers.set(channelId, (this.watchers.get(channelId) ?? 0) + 1);
        let done = false;
        return () => {
            if (done) {
                return;
            }
            done = true;
            const n = (this.watchers.get(channelId) ?? 1) - 1;
            if (n > 0) {
                this.watchers.set(channelId, n);
            } else {
                this.watchers.delete(channelId);
            }
        };
    }

    /** Loads a channel unless it is loaded (and current) or loading; `force` reloads. */
    load(channelId: string, force = false): void {
        if (!channelId) {
            return;
        }
        const entry = this.entries.get(channelId);
        if (entry?.loading) {
            if (force) {
                this.again.add(channelId);
            }
            return;
        }
        if (entry && !force && !this.outdated.has(channelId)) {
            return;
        }
        this.outdated.delete(channelId);
        this.entries.set(channelId, {...entry, loading: true});
        this.notify();
        this.client.getChannelGuests(channelId).then(
            (data) => {
                if (!this.again.has(channelId)) {
                    this.entries.set(channelId, {data, loading: false});
                }
            },
            (err: unknown) => {
                if (!this.again.has(channelId)) {
                    this.entries.set(channelId, {
                        ...this.entries.get(channelId),
                        loading: false,
                        error: err instanceof ClientError ? err : new ClientError(0, '', String(err)),
                    });
                }
            },
        ).finally(() => {
            if (this.again.delete(channelId)) {
                // The answer may predate the change: keep what we have and ask again.
                this.entries.set(channelId, {...this.entries.get(channelId), loading: false});
                this.load(channelId, true);
                return;
            }
            this.notify();
        });
    }

    /**
     * A channel_guests_changed event: a guest joined or left the channel. The
     * count shows at once; the guest list is reloaded (now if the channel is
     * shown, else when it is next shown). Without a usable count (or data
     * to apply it to yet), only the reload. Channels never asked for are
     * left alone.
     */
    applyEvent(channelId: string, guestCount?: number): void {
        const entry = this.entries.get(channelId);
        if (!entry) {
            return;
        }
        if (entry.data && guestCount !== undefined && Number.isInteger(guestCount) && guestCount >= 0) {
            const guests = guestCount === 0 ? [] : entry.data.guests;
            const data: ChannelGuests = {channel_id: channelId, guests, guest_count: guestCount};
            this.entries.set(channelId, {...entry, data, error: undefined});
            this.notify();
        }
        this.refresh(channelId);
    }

    /**
     * Every channel's guests are outdated (a guests_changed event, or the
     * WebSocket reconnected after events may have been missed).
     */
    refreshAll(): void {
        for (const channelId of this.entries.keys()) {
            this.refresh(channelId);
        }
    }

    private refresh(channelId: string): void {
        if (this.watchers.has(channelId)) {
            this.load(channelId, true);
        } else {
            this.outdated.add(channelId);
        }
    }
}
