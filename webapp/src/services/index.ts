// Everything the components share, created once per plugin instance in
// Plugin.initialize (or per test) and handed down through React context.
import {Client} from '../client';
import type {HostState, HostStore} from '../types/registry';

import {ChannelGuestsStore} from './channel_guests';
import {GuestLookup} from './guest_lookup';
import {ModalController} from './modal_controller';
import {MeStore} from './me_store';

export interface Services {
    client: Client;
    guestLookup: GuestLookup;
    channelGuests: ChannelGuestsStore;
    me: MeStore;
    inviteModal: ModalController;
    channelGuestsDialog: ModalController;

    /** The web client's Redux store (read-only use: current channel, locale, site URL). */
    host: HostStore;
}

/** A stand-in host store for pages without the Mattermost client (tests, harness). */
export function staticHost(state: HostState = {}): HostStore {
    return {getState: () => state, subscribe: () => () => undefined};
}

/** The site URL from the client's config, else the page's origin. */
export function siteURLFrom(host: HostStore): string {
    const configured = host.getState().entities?.general?.config?.SiteURL;
    if (configured) {
        return configured;
    }
    return typeof window === 'undefined' ? '' : window.location.origin;
}

/** The current user's locale from the client's state ('en' when unknown). */
export function localeFrom(host: HostStore): string {
    const users = host.getState().entities?.users;
    const id = users?.currentUserId;
    return (id && users?.profiles?.[id]?.locale) || 'en';
}

export function createServices(host: HostStore = staticHost(), client?: Client): Services {
    const api = client ?? new Client(() => siteURLFrom(host));
    return {
        client: api,
        guestLookup: new GuestLookup((ids) => api.lookupGuests(ids)),
        channelGuests: new ChannelGuestsStore(api),
        me: new MeStore(api),
        inviteModal: new ModalController(),
        channelGuestsDialog: new ModalController(),
        host,
    };
}
