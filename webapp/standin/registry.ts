// The stand-in's plugin registry: exactly the methods of the real web
// client's registry (src/types/registry_api.json, read from its source),
// each taking its arguments positionally or as one object of them, as the
// client's reArg does. Those with a place on the stand-in page record what
// they are given in the store as the client does (RECEIVED_PLUGIN_COMPONENT
// and friends); the others only record the call. Methods not proven to exist
// in the pinned version (added_between) are left out, so a plugin calling
// one fails here as it could there.
import type {Reducer, Store} from 'redux';

import reducerRegistry from 'mattermost-redux/store/reducer_registry';

import api from '../src/types/registry_api.json';

import {HostActions} from './store';

type Method = {form: 'args' | 'object' | 'none'; params: string[]};

export const API_METHODS = api.methods as Record<string, Method>;
export const UNPROVEN: string[] = (api as {added_between?: string[]}).added_between ?? [];

/** Methods whose component lands in a place of the page (the client's PluginsState component names). */
const SLOTS: Record<string, string> = {
    registerRootComponent: 'Root',
    registerPopoverUserAttributesComponent: 'PopoverUserAttributes',
    registerPopoverUserActionsComponent: 'PopoverUserActions',
    registerChannelHeaderButtonAction: 'ChannelHeaderButton',
    registerMainMenuAction: 'MainMenu',
    registerChannelHeaderMenuAction: 'ChannelHeader',
    registerLeftSidebarHeaderComponent: 'LeftSidebarHeader',
};

export interface RegistryCall {
    pluginId: string;
    method: string;
    args: Record<string, unknown>;
}

let nextId = 0;
const newId = () => `standin-${++nextId}`;

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return Boolean(v) && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

/** Positional arguments, or one object whose keys are all parameter names (the client's reArg). */
export function namedArgs(params: string[], args: unknown[]): Record<string, unknown> {
    if (args.length === 1 && isPlainObject(args[0]) && Object.keys(args[0]).every((k) => params.includes(k))) {
        return args[0];
    }
    const named: Record<string, unknown> = {};
    params.forEach((p, i) => {
        named[p] = args[i];
    });
    return named;
}

/** Creates the registry one plugin is initialised with. */
export function createRegistry(pluginId: string, store: Store, calls: RegistryCall[], translationSources: Map<string, (locale: string) => Record<string, string>>) {
    const registry: Record<string, unknown> = {supports: {globalAppBar: true, globalRhs: true}};
    for (const [method, spec] of Object.entries(API_METHODS)) {
        if (UNPROVEN.includes(method)) {
            continue;
        }
        registry[method] = (...args: unknown[]) => {
            if (args.length > Math.max(spec.params.length, spec.form === 'object' ? 1 : 0)) {
                throw new Error(`${method} takes ${spec.params.length} arguments (${spec.params.join(', ')}), got ${args.length}`);
            }
            const named = spec.form === 'object' ? (args[0] as Record<string, unknown>) ?? {} : namedArgs(spec.params, args);
            calls.push({pluginId, method, args: named});
            return handle(method, named);
        };
    }

    function handle(method: string, a: Record<string, unknown>): unknown {
        const slot = SLOTS[method];
        if (slot) {
            const id = newId();
            store.dispatch({type: HostActions.RECEIVED_PLUGIN_COMPONENT, name: slot, data: {id, pluginId, ...a}});
            return id;
        }
        switch (method) {
        case 'unregisterComponent':
            store.dispatch({type: HostActions.REMOVED_PLUGIN_COMPONENT, id: a.componentId});
            return undefined;
        case 'registerReducer':
            reducerRegistry.register(`plugins-${pluginId}`, a.reducer as Reducer);
            return undefined;
        case 'registerTranslations':
            translationSources.set(pluginId, a.getTranslationsForLocale as (locale: string) => Record<string, string>);
            return undefined;
        case 'registerAdminConsoleCustomSetting':
            store.dispatch({
                type: HostActions.RECEIVED_ADMIN_CONSOLE_CUSTOM_COMPONENT,
                data: {pluginId, key: a.key, component: a.component, options: {showTitle: Boolean((a.options as {showTitle?: boolean})?.showTitle)}},
            });
            return undefined;
        case 'registerWebSocketEventHandler':
        case 'registerReconnectHandler':
            return undefined; // kept in `calls`; the page's driver may call them
        default:
            return method.startsWith('register') ? newId() : undefined;
        }
    }
    return registry;
}
