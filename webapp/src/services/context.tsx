// React access to the shared services, plus the provider every registered
// component is wrapped in (services + translations).
import React, {createContext, useContext, useSyncExternalStore} from 'react';

import {I18nProvider, messagesFor} from '../i18n';
import type {Messages} from '../i18n';

import type {Observable} from './observable';

import {localeFrom} from './index';
import type {Services} from './index';

const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
    const services = useContext(ServicesContext);
    if (!services) {
        throw new Error('guest-accounts: component rendered outside PluginProvider');
    }
    return services;
}

/** Re-renders when the observable changes; returns its version. */
export function useObservable(observable: Observable): number {
    return useSyncExternalStore(observable.subscribe, observable.getVersion, observable.getVersion);
}

/** The id of the channel the user is looking at, from the client's store. */
export function useCurrentChannelId(): string {
    const {host} = useServices();
    const read = () => host.getState().entities?.channels?.currentChannelId ?? '';
    return useSyncExternalStore(host.subscribe, read, read);
}

export function PluginProvider({services, messages, children}: {services: Services; messages?: Messages; children: React.ReactNode}) {
    const locale = localeFrom(services.host);
    return (
        <ServicesContext.Provider value={services}>
            <I18nProvider
                locale={locale}
                messages={messages ?? messagesFor(locale)}
            >
                {children}
            </I18nProvider>
        </ServicesContext.Provider>
    );
}

/** Wraps a component so it finds the services and translations wherever the client mounts it. */
export function withPlugin<P extends object>(services: Services, Component: React.ComponentType<P>, name: string): React.ComponentType<P> {
    function Wrapped(props: P) {
        return (
            <PluginProvider services={services}>
                <Component {...props}/>
            </PluginProvider>
        );
    }
    Wrapped.displayName = `GuestAccounts(${name})`;
    return Wrapped;
}
