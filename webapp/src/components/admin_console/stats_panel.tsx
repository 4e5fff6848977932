// Counts against the caps, and the edition limits in force.
import React from 'react';

import type {Stats} from '../../types/api';
import {useT} from '../../i18n';

import {editionLimitText} from './labels';

function Meter({label, value, max}: {label: string; value: number; max: number}) {
    const t = useT();
    const limited = max > 0;
    const ratio = limited ? Math.min(1, value / max) : 0;
    const level = ratio >= 1 ? 'full' : ratio >= 0.8 ? 'high' : 'ok';
    return (
        <div className='ga-meter'>
            <div className='ga-meter__label'>{label}</div>
            <div className='ga-meter__value'>
                {limited ? t('dashboard.count_of_max', {count: value, max}) : t('dashboard.count_unlimited', {count: value})}
            </div>
            {limited && (
                <div
                    className={`ga-meter__bar ga-meter__bar--${level}`}
                    role='meter'
                    aria-label={label}
                    aria-valuemin={0}
                    aria-valuemax={max}
                    aria-valuenow={value}
                >
                    <div style={{width: `${Math.round(ratio * 100)}%`}}/>
                </div>
            )}
        </div>
    );
}

export function StatsPanel({stats}: {stats: Stats}) {
    const t = useT();
    return (
        <section
            className='ga-section'
            aria-labelledby='ga-stats-title'
        >
            <h3 id='ga-stats-title'>{t('dashboard.stats.title')}</h3>
            {!stats.guest_accounts_enabled && <p className='ga-warning'>{t('dashboard.stats.disabled')}</p>}
            {stats.configuration_error && (
                <p
                    className='ga-error'
                    role='alert'
                >
                    {t('dashboard.stats.config_error', {message: stats.configuration_error})}
                </p>
            )}
            {stats.mfa_warning && (
                <p
                    className='ga-warning'
                    data-testid='mfa-warning'
                >
                    {t('dashboard.stats.mfa_warning')}
                </p>
            )}
            {stats.index_ready === false && (
                <p
                    className='ga-hint'
                    role='status'
                >
                    {t('dashboard.stats.index_building')}
                </p>
            )}
            <div className='ga-meters'>
                <Meter
                    label={t('dashboard.stats.active')}
                    value={stats.active_guests}
                    max={stats.max_active_guests}
                />
                <Meter
                    label={t('dashboard.stats.deactivated')}
                    value={stats.deactivated_guests}
                    max={0}
                />
                <Meter
                    label={t('dashboard.stats.pending')}
                    value={stats.pending_invitations}
                    max={0}
                />
            </div>
            <p className='ga-hint'>
                {stats.max_channels_per_guest > 0 ?
                    t('dashboard.stats.max_channels', {max: stats.max_channels_per_guest}) :
                    t('dashboard.stats.max_channels_unlimited')}
            </p>
        </section>
    );
}

export function EditionLimits({stats}: {stats: Stats}) {
    const t = useT();
    return (
        <section
            className='ga-section'
            aria-labelledby='ga-limits-title'
        >
            <h3 id='ga-limits-title'>{t('dashboard.limits.title')}</h3>
            <p>{stats.edition === 'licensed' ? t('dashboard.limits.licensed') : t('dashboard.limits.unlicensed')}</p>
            {stats.join_enforcement && (
                <p className='ga-hint'>
                    {stats.join_enforcement === 'before' ? t('dashboard.limits.join_before') : t('dashboard.limits.join_after')}
                </p>
            )}
            {stats.edition_limits.length > 0 && (
                <table className='ga-table'>
                    <thead>
                        <tr>
                            <th scope='col'>{t('dashboard.limits.capability')}</th>
                            <th scope='col'>{t('dashboard.limits.enforced')}</th>
                            <th scope='col'>{t('dashboard.limits.note')}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {stats.edition_limits.map((l) => (
                            <tr
                                key={l.capability}
                                data-testid='edition-limit'
                            >
                                <td title={l.capability}>{editionLimitText(t, l.capability)}</td>
                                <td className={l.enforced ? 'ga-ok' : 'ga-warning'}>{l.enforced ? t('common.yes') : t('common.no')}</td>
                                <td>{l.note}</td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            )}
        </section>
    );
}
