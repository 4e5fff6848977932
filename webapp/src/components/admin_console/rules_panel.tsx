// The automatic guest rules ("Member email domains", "Sign-in methods that
// create guests") applied to existing accounts: a dry-run preview first
// (GET /rules/preview, changes nothing), then the admin picks the accounts
// and confirms (POST /rules/apply, in batches of RULES_APPLY_MAX). New
// accounts are handled by the server as they are created; this panel is the
// only way existing ones change.
import React, {useId, useState} from 'react';

import {Client} from '../../client';
import {RULES_APPLY_MAX} from '../../types/api';
import type {ApplyRulesResult, RuleCandidate, RulesPreview, RuleWarning} from '../../types/api';
import {useT} from '../../i18n';
import type {MessageId, Translate} from '../../i18n';
import {ErrorMessage} from '../common/error_message';

import {ConfirmButton} from './confirm_button';
import {REASON_LABEL, RULE_LABEL, SIGN_IN_METHOD_LABEL} from './labels';

const WARNING_LABEL: Record<RuleWarning, MessageId> = {
    domain_not_allowed: 'rules.warning.domain_not_allowed',
    guest_accounts_off: 'rules.warning.guest_accounts_off',
};

const STATUS_LABEL: Record<ApplyRulesResult['status'], MessageId> = {
    converted: 'rules.result.converted',
    not_matched: 'rules.result.not_matched',
    exempt: 'rules.result.exempt',
    failed: 'rules.result.failed',
};

function methodName(t: Translate, method: string): string {
    const id = SIGN_IN_METHOD_LABEL[method];
    return id ? t(id) : method;
}

interface Progress {
    done: number;
    total: number;
}

export function RulesPanel({onChanged}: {onChanged: () => void}) {
    const t = useT();
    const keepId = useId();
    const keepHintId = useId();
    const [preview, setPreview] = useState<RulesPreview | null>(null);
    const [loading, setLoading] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [selected, setSelected] = useState<Set<string>>(new Set());
    const [keepChannels, setKeepChannels] = useState(true);
    const [applying, setApplying] = useState<Progress | null>(null);
    const [results, setResults] = useState<ApplyRulesResult[] | null>(null);
    const [names, setNames] = useState<Map<string, RuleCandidate>>(new Map());

    const busy = loading || applying !== null;

    const runPreview = async () => {
        setLoading(true);
        setError(null);
        setResults(null);
        try {
            const p = await Client.previewRules();
            setPreview(p);
            setSelected(new Set(p.candidates.map((c) => c.user_id)));
        } catch (err) {
            setError(err);
        } finally {
            setLoading(false);
        }
    };

    const apply = async () => {
        if (!preview) {
            return;
        }
        const ids = preview.candidates.filter((c) => selected.has(c.user_id)).map((c) => c.user_id);
        const done: ApplyRulesResult[] = [];
        setError(null);
        setResults(null);
        setNames(new Map(preview.candidates.map((c) => [c.user_id, c])));
        try {
            for (let i = 0; i < ids.length; i += RULES_APPLY_MAX) {
                setApplying({done: i, total: ids.length});
                // One batch at a time: each is a lot of work for the server.
                done.push(...await Client.applyRules({user_ids: ids.slice(i, i + RULES_APPLY_MAX), keep_channels: keepChannels}));
            }
        } catch (err) {
            setError(err);
        } finally {
            setApplying(null);
            setResults(done.length > 0 ? done : null);
            const converted = new Set(done.filter((r) => r.status === 'converted').map((r) => r.user_id));
            if (converted.size > 0) {
                setPreview({
                    ...preview,
                    total: Math.max(0, preview.total - converted.size),
                    candidates: preview.candidates.filter((c) => !converted.has(c.user_id)),
                });
                setSelected((cur) => new Set(Array.from(cur).filter((id) => !converted.has(id))));
            }
            if (done.length > 0) {
                onChanged();
            }
        }
    };

    const toggle = (id: string, on: boolean) => {
        setSelected((cur) => {
            const next = new Set(cur);
            if (on) {
                next.add(id);
            } else {
                next.delete(id);
            }
            return next;
        });
    };

    const candidates = preview?.candidates ?? [];
    const count = candidates.filter((c) => selected.has(c.user_id)).length;

    return (
        <section
            className='ga-section'
            aria-labelledby='ga-rules-title'
            aria-busy={busy}
            data-testid='rules-panel'
        >
            <h3 id='ga-rules-title'>{t('rules.title')}</h3>
            <p className='ga-hint'>{t('rules.intro')}</p>
            <div className='ga-toolbar'>
                <button
                    type='button'
                    className='ga-button ga-button--small'
                    disabled={busy}
                    onClick={runPreview}
                >
                    {preview ? t('rules.preview_again') : t('rules.preview')}
                </button>
            </div>
            {loading && <p role='status'>{t('rules.previewing')}</p>}
            <ErrorMessage error={error}/>
            {preview && (
                <dl
                    className='ga-rules-config'
                    data-testid='rules-config'
                >
                    <dt>{t('rules.member_domains')}</dt>
                    <dd>{preview.member_email_domains.length > 0 ? preview.member_email_domains.join(', ') : t('rules.not_set')}</dd>
                    <dt>{t('rules.sign_in_methods')}</dt>
                    <dd>{preview.guest_sign_in_methods.length > 0 ? preview.guest_sign_in_methods.map((m) => methodName(t, m)).join(', ') : t('rules.not_set')}</dd>
                </dl>
            )}
            {preview && !preview.enabled && <p data-testid='rules-disabled'>{t('rules.disabled')}</p>}
            {preview?.enabled && (
                <>
                    <p>{t('rules.summary', {scanned: preview.scanned, total: preview.total})}</p>
                    {preview.truncated && <p className='ga-hint'>{t('rules.truncated', {shown: candidates.length, total: preview.total})}</p>}
                    {candidates.length === 0 && <p>{t('rules.none')}</p>}
                </>
            )}
            {candidates.length > 0 && (
                <>
                    <div className='ga-toolbar'>
                        <button
                            type='button'
                            className='ga-button ga-button--small ga-button--secondary'
                            disabled={busy}
                            onClick={() => setSelected(new Set(candidates.map((c) => c.user_id)))}
                        >
                            {t('rules.select_all')}
                        </button>
                        <button
                            type='button'
                            className='ga-button ga-button--small ga-button--secondary'
                            disabled={busy}
                            onClick={() => setSelected(new Set())}
                        >
                            {t('rules.select_none')}
                        </button>
                        <span aria-live='polite'>{t('rules.selected', {count, total: candidates.length})}</span>
                    </div>
                    <table className='ga-table'>
                        <thead>
                            <tr>
                                <th scope='col'><span className='ga-visually-hidden'>{t('rules.col_select')}</span></th>
                                <th scope='col'>{t('rules.col_account')}</th>
                                <th scope='col'>{t('rules.col_method')}</th>
                                <th scope='col'>{t('rules.col_rule')}</th>
                                <th scope='col'>{t('rules.col_warnings')}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {candidates.map((c) => (
                                <CandidateRow
                                    key={c.user_id}
                                    candidate={c}
                                    checked={selected.has(c.user_id)}
                                    disabled={busy}
                                    onToggle={toggle}
                                />
                            ))}
                        </tbody>
                    </table>
                    <div className='ga-field'>
                        <label
                            className='ga-label'
                            htmlFor={keepId}
                        >
                            <input
                                id={keepId}
                                type='checkbox'
                                checked={keepChannels}
                                disabled={busy}
                                aria-describedby={keepHintId}
                                onChange={(e) => setKeepChannels(e.target.checked)}
                            />
                            {' '}{t('rules.keep_channels')}
                        </label>
                        <div
                            id={keepHintId}
                            className='ga-hint'
                        >
                            {keepChannels ? t('rules.keep_channels_on') : t('rules.keep_channels_off')}
                        </div>
                    </div>
                    <div className='ga-toolbar'>
                        <ConfirmButton
                            label={count === 1 ? t('rules.apply_one') : t('rules.apply', {count})}
                            question={count === 1 ? t('rules.confirm_one') : t('rules.confirm', {count})}
                            disabled={busy || count === 0}
                            danger={true}
                            onConfirm={apply}
                        />
                    </div>
                </>
            )}
            {applying && <p role='status'>{t('rules.applying', {done: applying.done, total: applying.total})}</p>}
            {results && (
                <RuleResults
                    results={results}
                    candidates={names}
                />
            )}
        </section>
    );
}

function CandidateRow({candidate: c, checked, disabled, onToggle}: {candidate: RuleCandidate; checked: boolean; disabled: boolean; onToggle: (id: string, on: boolean) => void}) {
    const t = useT();
    return (
        <tr data-testid='rule-candidate'>
            <td>
                <input
                    type='checkbox'
                    checked={checked}
                    disabled={disabled}
                    aria-label={t('rules.select_one', {username: c.username})}
                    onChange={(e) => onToggle(c.user_id, e.target.checked)}
                />
            </td>
            <td>
                <div className='ga-strong'>{`@${c.username}`}</div>
                <div className='ga-hint'>{c.email}</div>
            </td>
            <td>{methodName(t, c.sign_in_method)}</td>
            <td>{RULE_LABEL[c.rule] ? t(RULE_LABEL[c.rule]) : c.rule}</td>
            <td>
                {c.warnings.length > 0 && (
                    <ul className='ga-plain-list'>
                        {c.warnings.map((w) => (
                            <li
                                key={w}
                                className='ga-warning'
                            >
                                {WARNING_LABEL[w] ? t(WARNING_LABEL[w]) : w}
                            </li>
                        ))}
                    </ul>
                )}
            </td>
        </tr>
    );
}

function RuleResults({results, candidates}: {results: ApplyRulesResult[]; candidates: Map<string, RuleCandidate>}) {
    const t = useT();
    const converted = results.filter((r) => r.status === 'converted').length;
    return (
        <div
            className='ga-results'
            data-testid='rule-results'
        >
            <p role='status'>{t('rules.result.summary', {converted, total: results.length})}</p>
            <ul className='ga-plain-list'>
                {results.map((r) => {
                    const c = candidates.get(r.user_id);
                    const who = c ? `@${c.username}` : (r.guest ? `@${r.guest.username}` : r.user_id);
                    const reason = r.guest?.status === 'deactivated' && r.guest.deactivated_reason ? REASON_LABEL[r.guest.deactivated_reason] : undefined;
                    let status = t(STATUS_LABEL[r.status] ?? 'rules.result.failed');
                    if (r.status === 'converted' && reason) {
                        status = t('rules.result.converted_deactivated', {reason: t(reason)});
                    }
                    return (
                        <li
                            key={r.user_id}
                            className={`ga-result ${r.status === 'converted' ? 'ga-result--ok' : 'ga-result--problem'}`}
                            data-testid='rule-result'
                        >
                            <span className='ga-result__email'>{who}</span>
                            <span className='ga-result__status'>{status}</span>
                            {r.message && <span className='ga-result__message'>{r.message}</span>}
                        </li>
                    );
                })}
            </ul>
        </div>
    );
}
