// Registry wiring only: creates the shared services, wraps each component in
// the plugin's providers and hands it to the client's plugin registry.
import React from 'react';

import {InviteGuestIcon} from './components/common/icons';
import {registeredTranslations} from './i18n';
import {id as pluginId} from './manifest';
import {createServices, staticHost} from './services';
import type {Services} from './services';
import {parseUserIds} from './services/guest_lookup';
import {ensureStyles} from './styles';
import type {HostStore, PluginRegistry, WebSocketMessage} from './types/registry';
import {wrapAll} from './wiring';
import type {WrappedComponents} from './wiring';

export const GUESTS_CHANGED_EVENT = `custom_${pluginId}_guests_changed`;
export const CHANNEL_GUESTS_CHANGED_EVENT = `custom_${pluginId}_channel_guests_changed`;

/** A guest count from an event (a number, or a numeric string); undefined when unusable. */
export function parseCount(value: unknown): number | undefined {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export default class Plugin {
    /** Set by initialize: the services and wrapped components (for the harness and tests). */
    services?: Services;
    components?: WrappedComponents;
    private inviteEntryIds: string[] = [];

    initialize(registry: PluginRegistry, store?: HostStore): void {
        ensureStyles();
        const services = createServices(store ?? staticHost());
        const c = wrapAll(services);
        this.services = services;
        this.components = c;

        registry.registerTranslations(registeredTranslations);
        registry.registerPopoverUserAttributesComponent(c.PopoverGuestBadge);
        registry.registerChannelHeaderButtonAction(
            <c.CurrentChannelGuestsIndicator/>,
            (channel) => services.channelGuestsDialog.open(channel.id),
            <c.Text id='plugin.header_guests'/>,
            <c.Text id='plugin.header_guests_tooltip'/>,
        );
        registry.registerRootComponent(c.InviteModalRoot);
        registry.registerRootComponent(c.ChannelGuestsDialogRoot);
        registry.registerRootComponent(c.NoChannelsRoot);
        registry.registerAdminConsoleCustomSetting('GuestDashboard', c.GuestDashboard, {showTitle: true});

        registry.registerWebSocketEventHandler(GUESTS_CHANGED_EVENT, (msg: WebSocketMessage) => {
            const ids = parseUserIds(msg.data?.user_ids);
            services.guestLookup.invalidate(ids);
            // A guest promoted, deactivated or removed (or a member made a
            // guest) changes the guests of channels we cannot tell from here.
            services.channelGuests.refreshAll();
            if (services.me.current && ids.includes(services.me.current.user_id)) {
                services.me.load(true);
            }
        });
        registry.registerWebSocketEventHandler(CHANNEL_GUESTS_CHANGED_EVENT, (msg: WebSocketMessage) => {
            // Sent when a guest joins or leaves the channel; same payload both ways.
            const channelId = msg.data?.channel_id;
            if (typeof channelId === 'string' && channelId) {
                services.channelGuests.applyEvent(channelId, parseCount(msg.data?.guest_count));
            }
        });
        registry.registerReconnectHandler?.(() => {
            services.guestLookup.invalidate();
            services.channelGuests.refreshAll();
            services.me.load(true);
        });

        // The invite entry points exist only while GET /me says the user may invite.
        // Not awaited: the client waits for initialize, and other plugins with it.
        services.me.subscribe(() => this.syncInviteEntryPoints(registry, services, c));
        services.me.load();
    }

    private syncInviteEntryPoints(registry: PluginRegistry, services: Services, c: WrappedComponents): void {
        const canInvite = Boolean(services.me.current?.can_invite);
        if (canInvite && this.inviteEntryIds.length === 0) {
            this.inviteEntryIds = [
                registry.registerMainMenuAction(
                    <c.Text id='plugin.menu_invite'/>,
                    () => services.inviteModal.open(),
                    <InviteGuestIcon/>,
                ),
                registry.registerChannelHeaderButtonAction(
                    <InviteGuestIcon/>,
                    (channel) => services.inviteModal.open(channel.id),
                    <c.Text id='plugin.header_invite'/>,
                    <c.Text id='plugin.header_invite_tooltip'/>,
                ),
            ];
        } else if (!canInvite && this.inviteEntryIds.length > 0) {
            this.inviteEntryIds.forEach((id) => registry.unregisterComponent?.(id));
            this.inviteEntryIds = [];
        }
    }
}

// Exposed as window.GuestAccountsPlugin by the bundle (esbuild globalName), so
// the browser harness can mount components with services of its own.
export {Client, ClientError} from './client';
export {createServices, staticHost} from './services';
export {PluginProvider} from './services/context';
export * as components from './components';
export {pluginId};

declare global {
    interface Window {
        registerPlugin?: (id: string, plugin: Plugin) => void;
    }
}

if (typeof window !== 'undefined' && typeof window.registerPlugin === 'function') {
    window.registerPlugin(pluginId, new Plugin());
}
