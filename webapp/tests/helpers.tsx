// Test helpers: fetch mocked at the boundary (a route table answering like
// the server would), and components rendered the way the web client renders
// them: inside its Redux Provider (a real store from mattermost-redux's
// configureStore, with the plugin's reducer registered) and its react-intl
// IntlProvider with the plugin's registered translations.
import {render} from '@testing-library/react';
import type {RenderResult} from '@testing-library/react';
import React from 'react';
import {IntlProvider} from 'react-intl';
import {Provider} from 'react-redux';
import type {Reducer, Store} from 'redux';

import type {GlobalState} from '@mattermost/types/store';

import {Client4} from 'mattermost-redux/client';
import configureStore from 'mattermost-redux/store/configureStore';

import {registeredTranslations} from '../src/i18n';
import reducer from '../src/store/reducer';
import {STATE_KEY} from '../src/store/selectors';
import type {State} from '../src/store/selectors';

export const SITE = 'http://mm.test';
export const API = '/plugins/guest-accounts/api/v1';

export interface Request {
    method: string;
    path: string;
    query: URLSearchParams;
    headers: Record<string, string>;
    body: unknown;
    credentials?: string;
}

export interface Reply {
    status?: number;
    body?: unknown;
}

export type Handler = Reply | ((req: Request) => Reply | Promise<Reply>);

/** A Response as far as Client4 and the plugin client read one. */
function fakeResponse(status: number, text: string) {
    const headers = new Map([['content-type', 'application/json']]);
    return {
        ok: status >= 200 && status < 300,
        status,
        headers: {get: (k: string) => headers.get(k.toLowerCase()) ?? null, has: (k: string) => headers.has(k.toLowerCase()), forEach: (fn: (v: string, k: string) => void) => headers.forEach(fn)},
        text: async () => text,
        json: async () => JSON.parse(text || 'null'),
    } as unknown as Response;
}

/** Routes are 'METHOD /path' (path without query); unknown routes answer 404. */
export function mockFetch(routes: Record<string, Handler>) {
    const calls: Request[] = [];
    const fn = jest.fn(async (input: string | URL, init: RequestInit = {}) => {
        const url = new URL(String(input));
        const req: Request = {
            method: (init.method ?? 'GET').toUpperCase(),
            path: url.pathname,
            query: url.searchParams,
            headers: {...(init.headers as Record<string, string>)},
            body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
            credentials: init.credentials,
        };
        calls.push(req);
        const handler = routes[`${req.method} ${req.path}`];
        const reply: Reply = handler === undefined ?
            {status: 404, body: {error_id: 'test.not_found', message: `no route for ${req.method} ${req.path}`}} :
            (typeof handler === 'function' ? await handler(req) : handler);
        const status = reply.status ?? 200;
        return fakeResponse(status, reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
    globalThis.fetch = fn as unknown as typeof fetch;
    return {
        fn,
        calls,
        to: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
    };
}

/** A promise and its resolver, to hold a request open. */
export function deferred<T = void>() {
    let resolve!: (v: T) => void;
    const promise = new Promise<T>((r) => {
        resolve = r;
    });
    return {promise, resolve};
}

export interface HostOptions {
    currentUserId?: string;
    currentChannelId?: string;
    locale?: string;

    /** Extra entities merged into the initial state (teams, channels, users, ...). */
    entities?: Record<string, unknown>;

    /** false: leave registering the plugin's reducer to registry.registerReducer, as in the client. */
    pluginReducer?: boolean;
}

/** A store like the client's: mattermost-redux's reducers plus the plugin's, as registerReducer adds it. */
export function makeStore(options: HostOptions = {}): Store {
    Client4.setUrl(SITE);
    const userId = options.currentUserId ?? 'me1';
    const base = {
        general: {config: {SiteURL: SITE}, license: {}},
        users: {currentUserId: userId, profiles: {[userId]: {id: userId, username: 'me', locale: options.locale ?? 'en', roles: 'system_user'}}},
        channels: {currentChannelId: options.currentChannelId ?? ''},
    } as Record<string, Record<string, unknown>>;
    const entities: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(base), ...Object.keys(options.entities ?? {})])) {
        entities[key] = {...base[key], ...(options.entities?.[key] as object)};
    }
    const appReducers: Record<string, Reducer> = options.pluginReducer === false ? {} : {[STATE_KEY]: reducer as Reducer};
    return configureStore({
        appReducers,
        getAppReducers: () => appReducers,
        preloadedState: {entities} as unknown as Partial<GlobalState>,
    });
}

export function hostState(store: Store): State {
    return store.getState() as State;
}

/** The client's providers around `ui`: its store, and react-intl in the user's language with the plugin's strings. */
export function HostProviders({store, locale = 'en', children}: {store: Store; locale?: string; children: React.ReactNode}) {
    return (
        <Provider store={store}>
            <IntlProvider
                locale={locale}
                messages={registeredTranslations(locale)}
            >
                {children}
            </IntlProvider>
        </Provider>
    );
}

export function renderWithPlugin(ui: React.ReactElement, store: Store = makeStore(), locale = 'en'): RenderResult & {store: Store} {
    const result = render(
        <HostProviders
            store={store}
            locale={locale}
        >
            {ui}
        </HostProviders>,
    );
    return {...result, store};
}

export const me = (over: Record<string, unknown> = {}) => ({
    user_id: 'me1',
    is_guest: false,
    can_invite: true,
    is_admin: false,
    allowed_domains: [],
    invitation_lifetime_hours: 48,
    guest_accounts_enabled: true,
    has_channels: true,
    ...over,
});
