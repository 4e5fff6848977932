// Previous / next for a list the server pages (guests, invitations, audit
// log), with where the reader is and how many there are in all. A search
// that matches very many stops counting (capped): the label says "more
// than" and the pages go as far as the count.
import React from 'react';

import {useT, type MessageId} from '../../i18n';

type PagerProps = {page: number; perPage: number; total: number; labelId: MessageId; capped?: boolean; cappedLabelId?: MessageId; onPage: (page: number) => void};

export function Pager({page, perPage, total, labelId, capped, cappedLabelId, onPage}: PagerProps) {
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
            <span>{t(capped && cappedLabelId ? cappedLabelId : labelId, {page: page + 1, pages, total})}</span>
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
