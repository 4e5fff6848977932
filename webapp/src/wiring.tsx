// Each registered component wrapped in the plugin's providers, bound to one
// set of services. The client mounts them wherever its slots are.
import {withPlugin} from './services/context';
import type {Services} from './services';
import {GuestDashboard} from './components/admin_console';
import {ChannelGuestsDialogRoot, CurrentChannelGuestsIndicator} from './components/channel_guests_indicator';
import {Text} from './components/common/text';
import {PopoverGuestBadge} from './components/guest_badge';
import {InviteModalRoot} from './components/invite_modal';
import {NoChannelsRoot} from './components/no_channels';

export function wrapAll(services: Services) {
    return {
        PopoverGuestBadge: withPlugin(services, PopoverGuestBadge, 'PopoverGuestBadge'),
        CurrentChannelGuestsIndicator: withPlugin(services, CurrentChannelGuestsIndicator, 'CurrentChannelGuestsIndicator'),
        ChannelGuestsDialogRoot: withPlugin(services, ChannelGuestsDialogRoot, 'ChannelGuestsDialogRoot'),
        InviteModalRoot: withPlugin(services, InviteModalRoot, 'InviteModalRoot'),
        NoChannelsRoot: withPlugin(services, NoChannelsRoot, 'NoChannelsRoot'),
        GuestDashboard: withPlugin(services, GuestDashboard, 'GuestDashboard'),
        Text: withPlugin(services, Text, 'Text'),
    };
}

export type WrappedComponents = ReturnType<typeof wrapAll>;
