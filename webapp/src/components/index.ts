// Every component, unwrapped (they need PluginProvider around them).
export {GuestDashboard} from './admin_console';
export {ChannelGuestsDialog, ChannelGuestsDialogRoot, ChannelGuestsIndicator, CurrentChannelGuestsIndicator} from './channel_guests_indicator';
export {GuestBadge, PopoverGuestBadge} from './guest_badge';
export {InviteModal, InviteModalRoot} from './invite_modal';
export {NoChannelsRoot, NoChannelsScreen} from './no_channels';
