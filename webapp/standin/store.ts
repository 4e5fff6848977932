// The stand-in's Redux store, built like the web client's: mattermost-redux's
// configureStore (its entities, requests and errors reducers, thunk
// middleware, batched actions, the reducer registry plugins register with),
// plus the two parts of the client's own state a plugin touches: the
// registered plugin components and the translations by locale.
import type {AnyAction, Reducer} from 'redux';
import {combineReducers} from 'redux';

import configureStore from 'mattermost-redux/store/configureStore';

/** The client's action types for plugin components and translations (utils/constants ActionTypes). */
export const HostActions = {
    RECEIVED_PLUGIN_COMPONENT: 'RECEIVED_PLUGIN_COMPONENT',
    REMOVED_PLUGIN_COMPONENT: 'REMOVED_PLUGIN_COMPONENT',
    RECEIVED_ADMIN_CONSOLE_CUSTOM_COMPONENT: 'RECEIVED_ADMIN_CONSOLE_CUSTOM_COMPONENT',
    RECEIVED_TRANSLATIONS: 'RECEIVED_TRANSLATIONS',
} as const;

export interface PluginComponent {
    id: string;
    pluginId: string;
    [key: string]: unknown;
}

export interface AdminSetting {
    pluginId: string;
    key: string;
    component: React.ComponentType<Record<string, unknown>>;
    options: {showTitle: boolean};
}

export interface HostPluginsState {
    components: Record<string, PluginComponent[]>;
    adminConsoleCustomComponents: Record<string, Record<string, AdminSetting>>;
}

function components(state: HostPluginsState['components'] = {}, action: AnyAction): HostPluginsState['components'] {
    switch (action.type) {
    case HostActions.RECEIVED_PLUGIN_COMPONENT:
        return {...state, [action.name]: [...(state[action.name] ?? []), action.data]};
    case HostActions.REMOVED_PLUGIN_COMPONENT: {
        const next: HostPluginsState['components'] = {};
        for (const [name, list] of Object.entries(state)) {
            next[name] = list.filter((c) => c.id !== action.id);
        }
        return next;
    }
    default:
        return state;
    }
}

function adminConsoleCustomComponents(state: HostPluginsState['adminConsoleCustomComponents'] = {}, action: AnyAction) {
    if (action.type !== HostActions.RECEIVED_ADMIN_CONSOLE_CUSTOM_COMPONENT) {
        return state;
    }
    const setting = action.data as AdminSetting;
    return {...state, [setting.pluginId]: {...state[setting.pluginId], [setting.key.toLowerCase()]: setting}};
}

function translations(state: Record<string, Record<string, string>> = {}, action: AnyAction) {
    if (action.type !== HostActions.RECEIVED_TRANSLATIONS) {
        return state;
    }
    return {...state, [action.data.locale]: action.data.translations};
}

export interface HostViewsState {
    i18n: {translations: Record<string, Record<string, string>>};
}

export function makeHostStore() {
    const appReducers: Record<string, Reducer> = {
        plugins: combineReducers({components, adminConsoleCustomComponents}) as Reducer,
        views: combineReducers({i18n: combineReducers({translations})}) as Reducer,
    };
    return configureStore({appReducers, getAppReducers: () => appReducers, preloadedState: {}});
}
