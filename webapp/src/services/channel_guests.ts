// Guests per channel for the header indicator: fetched once per channel,
// kept current by `channel_guests_changed` WebSocket events.
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

    constructor(private readonly client: Pick<Client, 'getChannelGuests'>) {
        super();
    }

    get(channelId: string): ChannelGuestsEntry | undefined {
        return this.entries.get(channelId);
    }

    /** Loads a channel unless it is loaded or loading; `force` reloads. */
    load(channelId: string, force = false): void {
        const entry = this.entries.get(channelId);
        if (!channelId || entry?.loading || (entry && !force)) {
            return;
        }
        this.entries.set(channelId, {...entry, loading: true});
        this.notify();
        this.client.getChannelGuests(channelId).then(
            (data) => this.entries.set(channelId, {data, loading: false}),
            (err: unknown) => this.entries.set(channelId, {
                ...this.entries.get(channelId),
                loading: false,
                error: err instanceof ClientError ? err : new ClientError(0, '', String(err)),
            }),
        ).finally(() => this.notify());
    }

    /** Applies a WebSocket event: the count at once, the guest list by reloading. */
    applyEvent(channelId: string, guestCount: number): void {
        const entry = this.entries.get(channelId);
        if (!entry) {
            return;
        }
        const data: ChannelGuests = {channel_id: channelId, guests: entry.data?.guests ?? [], guest_count: guestCount};
        this.entries.set(channelId, {...entry, data, error: undefined});
        this.notify();
        if (!entry.loading) {
            this.load(channelId, true);
        }
    }
}
