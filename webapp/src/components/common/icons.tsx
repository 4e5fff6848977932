// Small inline icons (no icon font is guaranteed to plugins).
import React from 'react';

export function InviteGuestIcon() {
    return (
        <svg
            className='ga-icon'
            width='18'
            height='18'
            viewBox='0 0 24 24'
            aria-hidden='true'
            focusable='false'
        >
            <path
                fill='currentColor'
                d='M15 12a4 4 0 1 0-4-4 4 4 0 0 0 4 4zm-9-2V7H4v3H1v2h3v3h2v-3h3v-2zm9 4c-2.7 0-8 1.3-8 4v2h16v-2c0-2.7-5.3-4-8-4z'
            />
        </svg>
    );
}
