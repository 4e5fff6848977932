// Thunks for the plugin's state: each asks the plugin API (client.ts) and
// records the answer in the plugin's reducer.
import type {AnyAction} from 'redux';

import {Client} from '../client';

import {ActionTypes} from './reducer';
import type {ModalName, StoredError} from './reducer';
import {getChannelGuestsEntry, getMeState, lookupNeeded, pluginState} from './selectors';
import type {State} from './selectors';

/** The client's dispatch: plain actions, the plugin's thunks and mattermost-redux's (which take an extra argument). */
export type Dispatch = (action: AnyAction | ((dispatch: any, getState: () => any, extra?: any) => unknown)) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Thunk = (dispatch: Dispatch, getState: () => State) => unknown;

export function toStoredError(err: unknown): StoredError {
    const e = err as {message?: unknown; server_error_id?: unknown; status_code?: unknown};
    return {
        message: typeof e?.message === 'string' ? e.message : String(err),
        server_error_id: typeof e?.server_error_id === 'string' ? e.server_error_id : undefined,
        status_code: typeof e?.status_code === 'number' ? e.status_code : undefined,
    };
}

// ---- GET /me ----------------------------------------------------------------

/** Loads /me unless it is loaded or loading; `force` asks again. Resolves when answered. */
export function loadMe(force = false): Thunk {
    return (dispatch, getState) => {
        const me = getMeState(getState());
        if (!force && (me.data || me.loading)) {
            return Promise.resolve();
        }
        dispatch({type: ActionTypes.ME_REQUESTED});
        return Client.getMe().then(
            (data) => dispatch({type: ActionTypes.ME_RECEIVED, data}),
            (err: unknown) => dispatch({type: ActionTypes.ME_FAILED, error: toStoredError(err)}),
        );
    };
}

// ---- guest badges: batched lookups ------------------------------------------

/** Ids asked for within this window go to the server in one request. */
export const LOOKUP_DELAY_MS = 50;

/** The API's limit per lookup request. */
export const LOOKUP_MAX_BATCH = 200;

/** Asks whether the user is a guest, in the next batch, unless known or already asked. */
export function requestGuestLookup(userId: string): Thunk {
    return (dispatch, getState) => {
        if (!lookupNeeded(getState(), userId)) {
            return;
        }
        // The first id of a batch schedules its flush; the flush empties the queue.
        const first = Object.keys(pluginState(getState())?.lookup.queued ?? {}).length === 0;
        dispatch({type: ActionTypes.LOOKUP_QUEUED, ids: [userId]});
        if (first) {
            setTimeout(() => dispatch(flushGuestLookups()), LOOKUP_DELAY_MS);
        }
    };
}

/** Sends every queued id now, in chunks of LOOKUP_MAX_BATCH. */
export function flushGuestLookups(): Thunk {
    return (dispatch, getState) => {
        const ids = Object.keys(pluginState(getState())?.lookup.queued ?? {});
        if (ids.length === 0) {
            return Promise.resolve();
        }
        dispatch({type: ActionTypes.LOOKUP_SENT, ids});
        const batches: Array<Promise<void>> = [];
        for (let i = 0; i < ids.length; i += LOOKUP_MAX_BATCH) {
            const chunk = ids.slice(i, i + LOOKUP_MAX_BATCH);
            batches.push(Client.lookupGuests(chunk).then(
                (guestIds) => guestIds,
                () => null, // unknown: the badge stays hidden and a later render asks again
            ).then((guestIds) => {
                const stale = pluginState(getState())?.lookup.stale ?? {};
                const again = chunk.filter((id) => stale[id]);
                dispatch({type: ActionTypes.LOOKUP_RECEIVED, ids: chunk, guestIds});
                again.forEach((id) => dispatch(requestGuestLookup(id)));
            }));
        }
        return Promise.all(batches);
    };
}

/** Marks the given users' answers (all when omitted) outdated: the next render asks again. */
export function invalidateGuestLookups(userIds?: string[]): AnyAction {
    return {type: ActionTypes.LOOKUP_INVALIDATED, ids: userIds};
}

// ---- channel guests ---------------------------------------------------------

/** Marks the channel as shown (its changes reload at once) until unwatchChannelGuests. */
export const watchChannelGuests = (channelId: string): AnyAction => ({type: ActionTypes.CHANNEL_GUESTS_WATCHED, channelId});
export const unwatchChannelGuests = (channelId: string): AnyAction => ({type: ActionTypes.CHANNEL_GUESTS_UNWATCHED, channelId});

/** Loads a channel's guests unless loaded (and current) or loading; `force` reloads. */
export function loadChannelGuests(channelId: string, force = false): Thunk {
    return (dispatch, getState) => {
        if (!channelId) {
            return;
        }
        const entry = getChannelGuestsEntry(getState(), channelId);
        if (entry?.loading) {
            if (force) {
                dispatch({type: ActionTypes.CHANNEL_GUESTS_OUTDATED, channelId});
            }
            return;
        }
        // An entry may exist only because a component watches the channel.
        if (entry && !force && !entry.outdated && (entry.data || entry.error)) {
            return;
        }
        dispatch({type: ActionTypes.CHANNEL_GUESTS_REQUESTED, channelId});
        Client.getChannelGuests(channelId).then(
            (data) => ({type: ActionTypes.CHANNEL_GUESTS_RECEIVED, channelId, data}),
            (err: unknown) => ({type: ActionTypes.CHANNEL_GUESTS_FAILED, channelId, error: toStoredError(err)}),
        ).then((action) => {
            const again = Boolean(getChannelGuestsEntry(getState(), channelId)?.again);
            dispatch(action);
            if (again) {
                dispatch(loadChannelGuests(channelId, true));
            }
        });
    };
}

function refreshChannel(channelId: string): Thunk {
    return (dispatch, getState) => {
        const entry = getChannelGuestsEntry(getState(), channelId);
        if (entry?.watchers) {
            dispatch(loadChannelGuests(channelId, true));
        } else {
            dispatch({type: ActionTypes.CHANNEL_GUESTS_OUTDATED, channelId});
        }
    };
}

/**
 * A channel_guests_changed event: a guest joined or left the channel. A
 * usable count shows at once; the list reloads now if the channel is shown,
 * else when it is next shown. Channels never asked for are left alone.
 */
export function channelGuestsChanged(channelId: string, count: number | undefined): Thunk {
    return (dispatch, getState) => {
        if (!getChannelGuestsEntry(getState(), channelId)) {
            return;
        }
        dispatch({type: ActionTypes.CHANNEL_GUESTS_CHANGED, channelId, count});
        dispatch(refreshChannel(channelId));
    };
}

/** Every known channel may have changed (guests_changed, or a reconnect after missed events). */
export function refreshAllChannelGuests(): Thunk {
    return (dispatch, getState) => {
        Object.keys(pluginState(getState())?.channelGuests ?? {}).forEach((id) => dispatch(refreshChannel(id)));
    };
}

// ---- the plugin's dialogs ---------------------------------------------------

export const openModal = (name: ModalName, channelId?: string): AnyAction => ({type: ActionTypes.MODAL_OPENED, name, channelId});
export const closeModal = (name: ModalName): AnyAction => ({type: ActionTypes.MODAL_CLOSED, name});
