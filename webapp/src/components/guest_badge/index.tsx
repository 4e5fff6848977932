// The "Guest" badge. Shown for users the plugin's registry (or core's
// system_guest role) says are guests; the answer comes from the batched
// lookup in the plugin's store, so a list of badges costs one request.
import React, {useEffect} from 'react';

import {usePluginDispatch, usePluginSelector} from '../../hooks';
import {useT} from '../../i18n';
import {requestGuestLookup} from '../../store/actions';
import {isGuest, lookupNeeded} from '../../store/selectors';

/** True once the lookup knows the user is a guest. */
export function useIsGuest(userId: string | undefined): boolean {
    const dispatch = usePluginDispatch();
    const needed = usePluginSelector((state) => Boolean(userId) && lookupNeeded(state, userId!));
    const guest = usePluginSelector((state) => (userId ? isGuest(state, userId) : undefined));
    useEffect(() => {
        if (userId && needed) {
            dispatch(requestGuestLookup(userId));
        }
    }, [dispatch, userId, needed]);
    return Boolean(guest);
}

export function GuestBadge({userId, roles}: {userId: string; roles?: string}) {
    const t = useT();
    const coreGuest = Boolean(roles && roles.split(' ').includes('system_guest'));
    const pluginGuest = useIsGuest(coreGuest ? undefined : userId);
    if (!coreGuest && !pluginGuest) {
        return null;
    }
    return (
        <span
            className='ga-guest-badge'
            title={t('guest_badge.tooltip')}
            data-testid='guest-badge'
        >
            {t('guest_badge.label')}
        </span>
    );
}

/** Props the profile popover passes to PopoverUserAttributes components. */
export interface PopoverUserAttributesProps {
    user?: {id: string; roles?: string; is_bot?: boolean};
    hide?: () => void;
}

/** The badge in the profile popover (hovercard). */
export function PopoverGuestBadge({user}: PopoverUserAttributesProps) {
    if (!user?.id || user.is_bot) {
        return null;
    }
    return (
        <div className='ga-popover-attribute'>
            <GuestBadge
                userId={user.id}
                roles={user.roles}
            />
        </div>
    );
}
