// The part of the Mattermost web client's plugin registry this plugin uses.
// The client publishes no typings for it (not in @mattermost/types 11.9.0), so
// the signatures below are written from the registry's documented behaviour.
import type React from 'react';

import type {Channel, ChannelMembership} from '@mattermost/types/channels';

/** A WebSocket message as the client hands it to plugin handlers. */
export interface WebSocketMessage<T = Record<string, unknown>> {
    event: string;
    data: T;
    broadcast?: {channel_id?: string; team_id?: string; user_id?: string};
    seq?: number;
}

/** Props the System Console passes to a custom setting component. */
export interface AdminConsoleSettingProps {
    id?: string;
    label?: string;
    helpText?: React.ReactNode;
    value?: unknown;
    disabled?: boolean;
    onChange?: (id: string, value: unknown) => void;
    setSaveNeeded?: () => void;
}

export type TranslationsForLocale = (locale: string) => Record<string, string>;

export interface PluginRegistry {
    registerRootComponent(component: React.ComponentType): string;
    registerPopoverUserAttributesComponent(component: React.ComponentType<any>): string; // eslint-disable-line @typescript-eslint/no-explicit-any
    registerChannelHeaderButtonAction(
        icon: React.ReactNode,
        action: (channel: Channel, member?: ChannelMembership) => void,
        dropdownText: React.ReactNode,
        tooltipText: React.ReactNode,
    ): string;
    registerMainMenuAction(text: React.ReactNode, action: () => void, mobileIcon?: React.ReactNode): string;
    registerAdminConsoleCustomSetting(
        key: string,
        component: React.ComponentType<AdminConsoleSettingProps>,
        options?: {showTitle: boolean},
    ): void;
    registerWebSocketEventHandler(event: string, handler: (msg: WebSocketMessage) => void): void;
    registerReconnectHandler?(handler: () => void): void;
    registerTranslations(getTranslationsForLocale: TranslationsForLocale): void;
    unregisterComponent?(componentId: string): void;
}

/** The slice of the client's Redux state this plugin reads. */
export interface HostState {
    entities?: {
        general?: {config?: {SiteURL?: string}};
        users?: {currentUserId?: string; profiles?: Record<string, {locale?: string} | undefined>};
        channels?: {currentChannelId?: string};
    };
}

/** The client's Redux store, as far as this plugin uses it. */
export interface HostStore {
    getState(): HostState;
    subscribe(listener: () => void): () => void;
}
