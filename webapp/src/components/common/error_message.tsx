// Shows an API failure the same way everywhere: a readable sentence, the
// server's own message, and its error id for support.
import React from 'react';

import {ClientError, NETWORK_ERROR_ID} from '../../client';
import {useT} from '../../i18n';
import type {Translate} from '../../i18n';

export function describeError(t: Translate, err: unknown): string {
    if (!(err instanceof ClientError)) {
        return t('error.unexpected', {message: err instanceof Error ? err.message : String(err)});
    }
    if (err.status === 0 || err.errorId === NETWORK_ERROR_ID) {
        return t('error.network');
    }
    switch (err.status) {
    case 401:
        return t('error.unauthorized');
    case 403:
        return t('error.forbidden', {message: err.message});
    case 429:
        return t('error.rate_limited');
    default:
        return err.message;
    }
}

/** `title` says what failed, before the server's reason. */
export function ErrorMessage({error, onRetry, title}: {error: unknown; onRetry?: () => void; title?: string}) {
    const t = useT();
    if (!error) {
        return null;
    }
    const id = error instanceof ClientError ? error.errorId : '';
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
