// Test helpers: fetch mocked at the boundary (a route table answering like
// the server would), and components rendered inside the plugin's providers.
import {render} from '@testing-library/react';
import type {RenderResult} from '@testing-library/react';
import React from 'react';

import {Client} from '../src/client';
import {createServices, staticHost} from '../src/services';
import type {Services} from '../src/services';
import {PluginProvider} from '../src/services/context';
import type {HostState} from '../src/types/registry';

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
        const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
        return {ok: status >= 200 && status < 300, status, text: async () => text} as unknown as Response;
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

export function makeServices(state: HostState = {}): Services {
    return createServices(staticHost(state), new Client(SITE));
}

export function renderWithPlugin(ui: React.ReactElement, services: Services = makeServices()): RenderResult & {services: Services} {
    const result = render(<PluginProvider services={services}>{ui}</PluginProvider>);
    return {...result, services};
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
