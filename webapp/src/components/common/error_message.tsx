// Shows a request failure the same way everywhere: a readable sentence, the
// server's own message (already in the user's language), and its error id
// for support. Takes ClientErrors from @mattermost/client and the plain
// copies the plugin's store keeps.
import React from 'react';

import {NETWORK_ERROR_ID} from '../../client';
import {useT} from '../../i18n';
import type {Translate} from '../../i18n';

interface ErrorLike {
    message?: unknown;
    server_error_id?: unknown;
    status_code?: unknown;
}

export function describeError(t: Translate, err: unknown): string {
    const e = (err && typeof err === 'object' ? err : {}) as ErrorLike;
    const message = typeof e.message === 'string' ? e.message : String(err);
    if (typeof e.status_code !== 'number' && typeof e.server_error_id !== 'string') {
        return t('error.unexpected', {message});
    }
    if (e.status_code === 0 || e.server_error_id === NETWORK_ERROR_ID) {
        return t('error.network');
    }
    switch (e.status_code) {
    case 401:
        return t('error.unauthorized');
    case 403:
        return t('error.forbidden', {message});
    case 429:
        return t('error.rate_limited');
    default:
        return message;
    }
}

/** `title` says what failed, before the server's reason. */
export function ErrorMessage({error, onRetry, title}: {error: unknown; onRetry?: () => void; title?: string}) {
    const t = useT();
    if (!error) {
        return null;
    }
    const id = typeof (error as ErrorLike).server_error_id === 'string' ? (error as ErrorLike).server_error_id as string : '';
    return (
        <div
            className='ga-error'
            role='alert'
        >
            {title && <span className='ga-error__title'>{`${title} `}</span>}
            <span>{describeError(t, error)}</span>
            {id && <span className='ga-error__id'>{` (${id})`}</span>}
            {onRetry && (
                <button
                    type='button'
                    className='ga-link-button'
                    onClick={onRetry}
                >
                    {t('common.retry')}
                </button>
            )}
        </div>
    );
}
