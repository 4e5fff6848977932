// A plugin registry for tests that offers exactly what the real web client's
// registry offers (src/types/registry_api.json, read from its source) and
// records every call. Calling a method the client lacks, one not proven to
// exist in the pinned version, or passing more arguments than it takes,
// throws, so a test using it fails.
import type {Reducer, Store} from 'redux';

import reducerRegistry from 'mattermost-redux/store/reducer_registry';

import api from '../src/types/registry_api.json';
import type {PluginRegistry, WebSocketMessage} from '../src/types/registry';

export type Call = {method: string; args: unknown[]};

type Method = {form: string; params: string[]};
export const registryMethods = api.methods as Record<string, Method>;
export const unprovenMethods: string[] = (api as {added_between?: string[]}).added_between ?? [];

/**
 * `store`: like the client, registering a component dispatches to it
 * (RECEIVED_PLUGIN_COMPONENT), so its subscribers run during the call.
 */
export function recordingRegistry(pluginId: string, store?: Store) {
    const calls: Call[] = [];
    let next = 0;
    const registry = new Proxy({}, {
        get(_target, method: string | symbol) {
            if (typeof method !== 'string' || method === 'then') {
                return undefined;
            }
            const spec = registryMethods[method];
            if (!spec) {
                throw new Error(`the web client's plugin registry has no method ${method}`);
            }
            if (unprovenMethods.includes(method)) {
                throw new Error(`${method} is not proven to exist in the pinned Mattermost version`);
            }
            return (...args: unknown[]) => {
                if (args.length > spec.params.length) {
                    throw new Error(`${method} takes ${spec.params.length} arguments (${spec.params.join(', ')}), got ${args.length}`);
                }
                calls.push({method, args});
                const id = `id-${++next}`;
                if (method.startsWith('register') && method.endsWith('Component') || method.endsWith('Action')) {
                    store?.dispatch({type: 'RECEIVED_PLUGIN_COMPONENT', name: method, data: {id, pluginId}});
                }
                if (method === 'registerReducer') {
                    // What the client does: the reducer joins the store as state['plugins-<id>'].
                    reducerRegistry.register(`plugins-${pluginId}`, args[0] as Reducer);
                }
                return id;
            };
        },
    }) as unknown as PluginRegistry;
    const of = (method: string) => calls.filter((c) => c.method === method);
    const ws = (event: string) => of('registerWebSocketEventHandler').find((c) => c.args[0] === event)!.args[1] as (m: WebSocketMessage) => void;
    return {registry, calls, of, ws};
}
