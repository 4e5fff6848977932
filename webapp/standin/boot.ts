// The stand-in's plumbing: its store, the plugins it loads and initialises
// with registries (registry.ts), their translations, and the server's
// WebSocket events relayed to the handlers they register.
import {Client4} from 'mattermost-redux/client';

import type {RegistryCall} from './registry';
import {createRegistry} from './registry';
import {HostActions, makeHostStore} from './store';

interface LoadedPlugin {
    initialize?: (registry: unknown, store: unknown) => void;
}

type Handler = (msg: unknown) => void;

export const store = makeHostStore();
const calls: RegistryCall[] = [];
const translationSources = new Map<string, (locale: string) => Record<string, string>>();
const plugins: Record<string, LoadedPlugin> = {};
const registered = new Map<string, () => void>();

function handlersFor(event: string): Handler[] {
    return calls.filter((c) => c.method === 'registerWebSocketEventHandler' && c.args.event === event).map((c) => c.args.handler as Handler);
}

/** What the browser test (and a curious person in the console) can reach as window.standin. */
export const standin = {
    store,
    calls,
    errors: [] as string[],
    plugins: [] as string[],
    ready: false,

    /** Calls the handlers plugins registered for a WebSocket event, as the client does. */
    emitWebSocket(event: string, data: Record<string, unknown>) {
        handlersFor(event).forEach((h) => h({event, data, broadcast: {}, seq: 0}));
    },
    reconnect() {
        calls.filter((c) => c.method === 'registerReconnectHandler').forEach((c) => (c.args.handler as () => void)());
    },
};

export type Standin = typeof standin;

/** window.registerPlugin: what a plugin bundle calls when it has loaded. */
export function registerPlugin(id: string, plugin: LoadedPlugin) {
    plugins[id] = plugin;
    registered.get(id)?.();
}

/** The plugins' strings for `locale`, as the client's loadTranslations gathers them. */
export function loadTranslations(locale: string) {
    const translations: Record<string, string> = {};
    translationSources.forEach((source) => Object.assign(translations, source(locale)));
    store.dispatch({type: HostActions.RECEIVED_TRANSLATIONS, data: {locale, translations}});
}

/** Loads and initialises every webapp plugin the server has enabled. */
export async function loadPlugins(): Promise<void> {
    const manifests = await Client4.getWebappPlugins();
    for (const manifest of manifests) {
        let bundlePath = manifest.webapp?.bundle_path ?? '';
        if (bundlePath.includes('/static/') && !bundlePath.includes('/static/plugins/')) {
            bundlePath = bundlePath.replace('/static/', '/static/plugins/');
        }
        await new Promise<void>((resolve, reject) => {
            registered.set(manifest.id, () => {
                registered.delete(manifest.id);
                resolve();
            });
            const script = document.createElement('script');
            script.id = `plugin_${manifest.id}`;
            script.src = Client4.getUrl() + bundlePath;
            script.onerror = () => reject(new Error(`Unable to load the bundle of ${manifest.id}`));
            document.head.appendChild(script);
        });
        const registry = createRegistry(manifest.id, store, calls, translationSources);
        plugins[manifest.id].initialize?.(registry, store);
        standin.plugins.push(manifest.id);
    }
}

/** The server's WebSocket (the session cookie signs it in), relayed to plugin handlers. */
export function connectWebSocket() {
    const url = `${Client4.getUrl().replace(/^http/, 'ws')}/api/v4/websocket`;
    let wasOpen = false;
    const connect = () => {
        const ws = new WebSocket(url);
        ws.onopen = () => {
            if (wasOpen) {
                standin.reconnect();
            }
            wasOpen = true;
        };
        ws.onmessage = (e) => {
            try {
                const msg = JSON.parse(String(e.data));
                if (msg.event) {
                    handlersFor(msg.event).forEach((h) => h(msg));
                }
            } catch {
                // not an event
            }
        };
        ws.onclose = () => setTimeout(connect, 2000);
    };
    connect();
}
