// The guest list: search (as you type, debounced), status filter, sort, pages.
import React, {useId, useState} from 'react';

import {useT} from '../../i18n';
import type {Guest, GuestListSort, GuestListStatus} from '../../types/api';
import {ErrorMessage} from '../common/error_message';

import {GuestRow} from './guest_row';
import {GUESTS_PER_PAGE as PER_PAGE, useGuestList, useSearchQuery} from './lists';
import {Pager} from './pager';

export function GuestList({refresh, onChanged}: {refresh: number; onChanged: () => void}) {
    const t = useT();
    const ids = {search: useId(), status: useId(), sort: useId()};
    const [status, setStatus] = useState<GuestListStatus>('');
    const [sort, setSort] = useState<GuestListSort>('last_activity');
    const [page, setPage] = useState(0);
    const {search, setSearch, query} = useSearchQuery(() => setPage(0));

    const list = useGuestList({query, status, sort, page}, refresh);
    const guests = list.data?.guests ?? null;
    const total = list.data?.total ?? 0;
    const error = list.error;

    const onUpdated = (userId: string, guest: Guest | null) => {
        list.set((cur) => ({
            guests: guest ? cur.guests.map((g) => (g.user_id === userId ? guest : g)) : cur.guests.filter((g) => g.user_id !== userId),
            total: guest || cur.total_capped ? cur.total : Math.max(0, cur.total - 1),
            total_capped: cur.total_capped,
        }));
        onChanged();
    };

    return (
        <section
            className='ga-section'
            aria-labelledby='ga-guests-title'
        >
            <h3 id='ga-guests-title'>{t('dashboard.guests.title')}</h3>
            <div className='ga-toolbar'>
                <label htmlFor={ids.search}>{t('dashboard.guests.search')}</label>
                <input
                    id={ids.search}
                    type='search'
                    className='ga-input ga-input--inline'
                    value={search}
                    placeholder={t('dashboard.guests.search_placeholder')}
                    onChange={(e) => setSearch(e.target.value)}
                />
                <label htmlFor={ids.status}>{t('dashboard.guests.status')}</label>
                <select
                    id={ids.status}
                    className='ga-input ga-input--inline'
                    value={status}
                    onChange={(e) => {
                        setStatus(e.target.value as GuestListStatus);
                        setPage(0);
                    }}
                >
                    <option value=''>{t('dashboard.guests.status_all')}</option>
                    <option value='active'>{t('dashboard.guests.status_active')}</option>
                    <option value='deactivated'>{t('dashboard.guests.status_deactivated')}</option>
                    <option value='expiring'>{t('dashboard.guests.status_expiring')}</option>
                </select>
                <label htmlFor={ids.sort}>{t('dashboard.guests.sort')}</label>
                <select
                    id={ids.sort}
                    className='ga-input ga-input--inline'
                    value={sort}
                    onChange={(e) => {
                        setSort(e.target.value as GuestListSort);
                        setPage(0);
                    }}
                >
                    <option value='last_activity'>{t('dashboard.guests.sort_activity')}</option>
                    <option value='expires_at'>{t('dashboard.guests.sort_expiry')}</option>
                    <option value='username'>{t('dashboard.guests.sort_username')}</option>
                </select>
            </div>
            <ErrorMessage
                error={error}
                onRetry={list.retry}
            />
            {!error && guests === null && <p role='status'>{t('common.loading')}</p>}
            {guests !== null && guests.length === 0 && <p>{query || status ? t('dashboard.guests.no_match') : t('dashboard.guests.none')}</p>}
            {guests !== null && guests.length > 0 && (
                <table className='ga-table'>
                    <thead>
                        <tr>
                            <th scope='col'>{t('dashboard.guests.col_guest')}</th>
                            <th scope='col'>{t('dashboard.guests.col_status')}</th>
                            <th scope='col'>{t('dashboard.guests.col_activity')}</th>
                            <th scope='col'>{t('dashboard.guests.col_expires')}</th>
                            <th scope='col'>{t('dashboard.guests.col_channels')}</th>
                            <th scope='col'>{t('dashboard.guests.col_actions')}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {guests.map((g) => (
                            <GuestRow
                                key={g.user_id}
                                guest={g}
                                onUpdated={onUpdated}
                            />
                        ))}
                    </tbody>
                </table>
            )}
            <Pager
                page={page}
                perPage={PER_PAGE}
                total={total}
                labelId='dashboard.guests.page'
                capped={list.data?.total_capped}
                cappedLabelId='dashboard.guests.page_capped'
                onPage={setPage}
            />
        </section>
    );
}
