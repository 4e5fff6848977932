// Previous / next for a list the server pages (guests, invitations, audit
// log), with where the reader is and how many there are in all.
import React from 'react';

import {useT, type MessageId} from '../../i18n';

export function Pager({page, perPage, total, labelId, onPage}: {page: number; perPage: number; total: number; labelId: MessageId; onPage: (page: number) => void}) {
    const t = useT();
    const pages = Math.max(1, Math.ceil(total / perPage));
    if (total <= perPage && page === 0) {
        return null;
    }
    return (
        <div className='ga-pager'>
            <button
                type='button'
                className='ga-button ga-button--small ga-button--secondary'
                disabled={page === 0}
                onClick={() => onPage(page - 1)}
            >
                {t('common.previous')}
            </button>
            <span>{t(labelId, {page: page + 1, pages, total})}</span>
            <button
                type='button'
                className='ga-button ga-button--small ga-button--secondary'
                disabled={page + 1 >= pages}
                onClick={() => onPage(page + 1)}
            >
                {t('common.next')}
            </button>
        </div>
    );
}
