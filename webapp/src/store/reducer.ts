// The plugin's own state, registered with registry.registerReducer and so
// found at state['plugins-guest-accounts'] in the client's store. Only what
// the plugin's API answers lives here; users, teams and channels stay in the
// client's own entities.
import {combineReducers} from 'redux';
import type {AnyAction} from 'redux';

import type {ChannelGuests, Me} from '../types/api';

/** A request failure as kept in the store (plain data, not the thrown object). */
export interface StoredError {
    message: string;
    server_error_id?: string;
    status_code?: number;
}

export const ActionTypes = {
    ME_REQUESTED: 'guest-accounts/me_requested',
    ME_RECEIVED: 'guest-accounts/me_received',
    ME_FAILED: 'guest-accounts/me_failed',

    LOOKUP_QUEUED: 'guest-accounts/lookup_queued',
    LOOKUP_SENT: 'guest-accounts/lookup_sent',
    LOOKUP_RECEIVED: 'guest-accounts/lookup_received',
    LOOKUP_INVALIDATED: 'guest-accounts/lookup_invalidated',

    CHANNEL_GUESTS_WATCHED: 'guest-accounts/channel_guests_watched',
    CHANNEL_GUESTS_UNWATCHED: 'guest-accounts/channel_guests_unwatched',
    CHANNEL_GUESTS_REQUESTED: 'guest-accounts/channel_guests_requested',
    CHANNEL_GUESTS_RECEIVED: 'guest-accounts/channel_guests_received',
    CHANNEL_GUESTS_FAILED: 'guest-accounts/channel_guests_failed',
    CHANNEL_GUESTS_CHANGED: 'guest-accounts/channel_guests_changed',
    CHANNEL_GUESTS_OUTDATED: 'guest-accounts/channel_guests_outdated',

    MODAL_OPENED: 'guest-accounts/modal_opened',
    MODAL_CLOSED: 'guest-accounts/modal_closed',
} as const;

export interface MeState {
    data?: Me;
    error?: StoredError;
    loading: boolean;
}

function me(state: MeState = {loading: false}, action: AnyAction): MeState {
    switch (action.type) {
    case ActionTypes.ME_REQUESTED:
        return {...state, loading: true};
    case ActionTypes.ME_RECEIVED:
        return {data: action.data, loading: false};
    case ActionTypes.ME_FAILED:
        return {...state, error: action.error, loading: false};
    default:
        return state;
    }
}

type IdSet = Record<string, true>;

/**
 * "Is this user a guest?" answers for badges, batched: ids asked for are
 * queued, sent together, and cached until a guests_changed event makes them
 * outdated (an outdated answer is still shown until the new one arrives).
 * An id invalidated while its request is in flight is stale: that answer is
 * dropped and the id asked for again.
 */
export interface LookupState {
    guest: Record<string, boolean>;
    outdated: IdSet;
    queued: IdSet;
    inflight: IdSet;
    stale: IdSet;
}

const emptyLookup: LookupState = {guest: {}, outdated: {}, queued: {}, inflight: {}, stale: {}};

function without(set: IdSet, ids: string[]): IdSet {
    const next = {...set};
    ids.forEach((id) => delete next[id]);
    return next;
}

function withIds(set: IdSet, ids: string[]): IdSet {
    const next = {...set};
    ids.forEach((id) => {
        next[id] = true;
    });
    return next;
}

function lookup(state: LookupState = emptyLookup, action: AnyAction): LookupState {
    switch (action.type) {
    case ActionTypes.LOOKUP_QUEUED:
        return {...state, queued: withIds(state.queued, action.ids)};
    case ActionTypes.LOOKUP_SENT:
        return {...state, queued: without(state.queued, action.ids), inflight: withIds(state.inflight, action.ids)};
    case ActionTypes.LOOKUP_RECEIVED: {
        const ids: string[] = action.ids;
        const guests: Set<string> | null = action.guestIds ? new Set(action.guestIds) : null;
        const fresh = ids.filter((id) => !state.stale[id]);
        const guest = {...state.guest};
        if (guests) {
            fresh.forEach((id) => {
                guest[id] = guests.has(id);
            });
        }
        return {
            guest,
            outdated: guests ? without(state.outdated, fresh) : state.outdated,
            queued: state.queued,
            inflight: without(state.inflight, ids),
            stale: without(state.stale, ids),
        };
    }
    case ActionTypes.LOOKUP_INVALIDATED: {
        const ids: string[] = action.ids ?? [...Object.keys(state.guest), ...Object.keys(state.inflight)];
        return {
            ...state,
            outdated: withIds(state.outdated, ids.filter((id) => id in state.guest)),
            stale: withIds(state.stale, ids.filter((id) => state.inflight[id])),
        };
    }
    default:
        return state;
    }
}

/**
 * Guests per channel for the header indicator. At most one request per
 * channel is in flight; a change meanwhile ("again") drops its answer,
 * which may predate the change, and asks once more. Channels on screen
 * (watchers > 0) reload at once on a change, the others when next shown.
 */
export interface ChannelGuestsEntry {
    data?: ChannelGuests;
    error?: StoredError;
    loading: boolean;
    outdated?: boolean;
    again?: boolean;
    watchers?: number;
}

function channelGuests(state: Record<string, ChannelGuestsEntry> = {}, action: AnyAction): Record<string, ChannelGuestsEntry> {
    const id: string = action.channelId;
    const entry: ChannelGuestsEntry = state[id] ?? {loading: false};
    switch (action.type) {
    case ActionTypes.CHANNEL_GUESTS_WATCHED:
        return {...state, [id]: {...entry, watchers: (entry.watchers ?? 0) + 1}};
    case ActionTypes.CHANNEL_GUESTS_UNWATCHED:
        return {...state, [id]: {...entry, watchers: Math.max(0, (entry.watchers ?? 0) - 1)}};
    case ActionTypes.CHANNEL_GUESTS_REQUESTED:
        return {...state, [id]: {...entry, loading: true, outdated: false, again: false}};
    case ActionTypes.CHANNEL_GUESTS_RECEIVED:
        if (entry.again) {
            return {...state, [id]: {...entry, loading: false}};
        }
        return {...state, [id]: {data: action.data, loading: false, watchers: entry.watchers}};
    case ActionTypes.CHANNEL_GUESTS_FAILED:
        if (entry.again) {
            return {...state, [id]: {...entry, loading: false}};
        }
        return {...state, [id]: {...entry, loading: false, error: action.error}};
    case ActionTypes.CHANNEL_GUESTS_CHANGED: {
        // A count from an event applies at once; the last guest gone leaves no stale names.
        const count: number | undefined = action.count;
        if (!state[id]) {
            return state;
        }
        let data = entry.data;
        if (data && count !== undefined) {
            data = {...data, guest_count: count, guests: count === 0 ? [] : data.guests};
        }
        return {...state, [id]: {...entry, data}};
    }
    case ActionTypes.CHANNEL_GUESTS_OUTDATED:
        if (!state[id]) {
            return state;
        }
        return {...state, [id]: entry.loading ? {...entry, again: true} : {...entry, outdated: true}};
    default:
        return state;
    }
}

export type ModalName = 'invite' | 'channelGuests';

export interface ModalState {
    open: boolean;

    /** The channel to preselect or show (the one whose header button was clicked). */
    channelId?: string;
}

function modals(state: Record<ModalName, ModalState> = {invite: {open: false}, channelGuests: {open: false}}, action: AnyAction) {
    switch (action.type) {
    case ActionTypes.MODAL_OPENED:
        return {...state, [action.name]: {open: true, channelId: action.channelId}};
    case ActionTypes.MODAL_CLOSED:
        return {...state, [action.name]: {open: false}};
    default:
        return state;
    }
}

const reducer = combineReducers({me, lookup, channelGuests, modals});

export type PluginState = ReturnType<typeof reducer>;

export default reducer;
