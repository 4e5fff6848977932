// The part of the Mattermost web client's plugin registry this plugin uses.
// The client publishes no typings for it (not in @mattermost/types), so the
// signatures are written here; registry_api.json lists the real registry's
// methods and parameters (from its source), and index.test.tsx fails when
// the plugin calls anything that list lacks.
import type React from 'react';
import type {Reducer} from 'redux';

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
    registerReconnectHandler(handler: () => void): void;
    registerTranslations(getTranslationsForLocale: TranslationsForLocale): void;
    registerReducer(reducer: Reducer): void;
    unregisterComponent(componentId: string): void;
}
