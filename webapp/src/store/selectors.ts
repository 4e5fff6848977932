// Selectors over the plugin's slice of the client's store.
import type {GlobalState} from '@mattermost/types/store';

import {id as pluginId} from '../manifest';

import type {ChannelGuestsEntry, MeState, ModalName, ModalState, PluginState} from './reducer';

/** Where registerReducer puts the plugin's state. */
export const STATE_KEY = `plugins-${pluginId}`;

export type State = GlobalState & {[STATE_KEY]?: PluginState};

const EMPTY_ME: MeState = {loading: false};
const CLOSED: ModalState = {open: false};

export function pluginState(state: State): PluginState | undefined {
    return (state as Record<string, unknown>)[STATE_KEY] as PluginState | undefined;
}

export const getMeState = (state: State): MeState => pluginState(state)?.me ?? EMPTY_ME;

export const getMe = (state: State) => getMeState(state).data;

/** The cached answer (possibly outdated); undefined when never known. */
export const isGuest = (state: State, userId: string): boolean | undefined => pluginState(state)?.lookup.guest[userId];

/** True when the user's answer is missing or outdated and not yet asked for. */
export function lookupNeeded(state: State, userId: string): boolean {
    const l = pluginState(state)?.lookup;
    if (!userId || !l) {
        return false;
    }
    return (!(userId in l.guest) || Boolean(l.outdated[userId])) && !l.queued[userId] && !l.inflight[userId];
}

export const getChannelGuestsEntry = (state: State, channelId: string): ChannelGuestsEntry | undefined => pluginState(state)?.channelGuests[channelId];

export const getModal = (state: State, name: ModalName): ModalState => pluginState(state)?.modals[name] ?? CLOSED;
