// Registry wiring only. The plugin lives inside the Mattermost web client:
// its components render within the client's Redux and react-intl providers,
// its state is a reducer in the client's store, and its requests go through
// the client library's Client4.
import React from 'react';
import type {Store} from 'redux';

import {Client4} from 'mattermost-redux/client';
import {getConfig} from 'mattermost-redux/selectors/entities/general';

import {GuestDashboard} from './components/admin_console';
import {ChannelGuestsDialogRoot, CurrentChannelGuestsIndicator} from './components/channel_guests_indicator';
import {InviteGuestIcon} from './components/common/icons';
import {PopoverGuestBadge} from './components/guest_badge';
import {InviteModalRoot} from './components/invite_modal';
import {NoChannelsRoot} from './components/no_channels';
import {Text, registeredTranslations} from './i18n';
import {id as pluginId} from './manifest';
import {
    channelGuestsChanged, invalidateGuestLookups, loadMe, openModal, refreshAllChannelGuests,
} from './store/actions';
import type {Dispatch} from './store/actions';
import reducer from './store/reducer';
import {getMe} from './store/selectors';
import type {State} from './store/selectors';
import {ensureStyles} from './styles';
import type {PluginRegistry, WebSocketMessage} from './types/registry';

export const GUESTS_CHANGED_EVENT = `custom_${pluginId}_guests_changed`;
export const CHANNEL_GUESTS_CHANGED_EVENT = `custom_${pluginId}_channel_guests_changed`;

/** A guest count from an event (a number, or a numeric string); undefined when unusable. */
export function parseCount(value: unknown): number | undefined {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Parses the `user_ids` field of a guests_changed event (a comma-separated list). */
export function parseUserIds(value: unknown): string[] {
    if (Array.isArray(value)) {
        return value.filter((v): v is string => typeof v === 'string' && v !== '');
    }
    if (typeof value !== 'string') {
        return [];
    }
    return value.split(',').map((id) => id.trim()).filter(Boolean);
}

/** The site URL the client uses (its config), else the page's origin. */
function siteURL(state: State): string {
    const configured = getConfig(state)?.SiteURL;
    return (configured || window.location.origin).replace(/\/+$/, '');
}

export default class Plugin {
    private inviteEntryIds: string[] = [];

    /** Registering dispatches to the store, which calls the subscriber again: no re-entry. */
    private syncing = false;

    initialize(registry: PluginRegistry, store: Store): void {
        const getState = () => store.getState() as State;
        const dispatch = store.dispatch as unknown as Dispatch;
        ensureStyles();
        // mattermost-redux's Client4 (bundled with the plugin) talks to the same server as the client.
        Client4.setUrl(siteURL(getState()));

        registry.registerReducer(reducer);
        registry.registerTranslations(registeredTranslations);
        registry.registerPopoverUserAttributesComponent(PopoverGuestBadge);
        registry.registerChannelHeaderButtonAction(
            <CurrentChannelGuestsIndicator/>,
            (channel) => dispatch(openModal('channelGuests', channel.id)),
            <Text id='plugin.header_guests'/>,
            <Text id='plugin.header_guests_tooltip'/>,
        );
        registry.registerRootComponent(InviteModalRoot);
        registry.registerRootComponent(ChannelGuestsDialogRoot);
        registry.registerRootComponent(NoChannelsRoot);
        registry.registerAdminConsoleCustomSetting('GuestDashboard', GuestDashboard, {showTitle: true});

        registry.registerWebSocketEventHandler(GUESTS_CHANGED_EVENT, (msg: WebSocketMessage) => {
            const ids = parseUserIds(msg.data?.user_ids);
            dispatch(invalidateGuestLookups(ids));
            // A guest promoted, deactivated or removed (or a member made a
            // guest) changes the guests of channels we cannot tell from here.
            dispatch(refreshAllChannelGuests());
            const me = getMe(getState());
            if (me && ids.includes(me.user_id)) {
                dispatch(loadMe(true));
            }
        });
        registry.registerWebSocketEventHandler(CHANNEL_GUESTS_CHANGED_EVENT, (msg: WebSocketMessage) => {
            // Sent when a guest joins or leaves the channel; same payload both ways.
            const channelId = msg.data?.channel_id;
            if (typeof channelId === 'string' && channelId) {
                dispatch(channelGuestsChanged(channelId, parseCount(msg.data?.guest_count)));
            }
        });
        registry.registerReconnectHandler(() => {
            dispatch(invalidateGuestLookups());
            dispatch(refreshAllChannelGuests());
            dispatch(loadMe(true));
        });

        // The invite entry points exist only while GET /me says the user may invite.
        // Not awaited: the client waits for initialize, and other plugins with it.
        store.subscribe(() => this.syncInviteEntryPoints(registry, dispatch, Boolean(getMe(getState())?.can_invite)));
        dispatch(loadMe());
    }

    private syncInviteEntryPoints(registry: PluginRegistry, dispatch: Dispatch, canInvite: boolean): void {
        if (this.syncing) {
            return;
        }
        this.syncing = true;
        try {
            this.applyInviteEntryPoints(registry, dispatch, canInvite);
        } finally {
            this.syncing = false;
        }
    }

    private applyInviteEntryPoints(registry: PluginRegistry, dispatch: Dispatch, canInvite: boolean): void {
        if (canInvite && this.inviteEntryIds.length === 0) {
            this.inviteEntryIds = [
                registry.registerMainMenuAction(
                    <Text id='plugin.menu_invite'/>,
                    () => dispatch(openModal('invite')),
                    <InviteGuestIcon/>,
                ),
                registry.registerChannelHeaderButtonAction(
                    <InviteGuestIcon/>,
                    (channel) => dispatch(openModal('invite', channel.id)),
                    <Text id='plugin.header_invite'/>,
                    <Text id='plugin.header_invite_tooltip'/>,
                ),
            ];
        } else if (!canInvite && this.inviteEntryIds.length > 0) {
            this.inviteEntryIds.forEach((id) => registry.unregisterComponent(id));
            this.inviteEntryIds = [];
        }
    }
}

declare global {
    interface Window {
        registerPlugin?: (id: string, plugin: Plugin) => void;
    }
}

if (typeof window !== 'undefined' && typeof window.registerPlugin === 'function') {
    window.registerPlugin(pluginId, new Plugin());
}
