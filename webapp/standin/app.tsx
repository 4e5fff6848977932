// The stand-in's screens: sign-in, then a channel view (team menu with the
// plugins' main-menu items, the team's channels, a channel header with their
// header buttons, the channel's members whose profile popover shows their
// popover components) and a System Console page with their custom settings;
// their root components on top. Texts of the stand-in itself are English:
// only the plugin's own strings follow the user's language.
import React, {useEffect, useMemo, useState} from 'react';
import {IntlProvider} from 'react-intl';
import {useDispatch, useSelector, useStore} from 'react-redux';

import type {Channel} from '@mattermost/types/channels';
import type {PluginManifest} from '@mattermost/types/plugins';
import type {GlobalState} from '@mattermost/types/store';
import type {UserProfile} from '@mattermost/types/users';

import {fetchChannelsAndMembers, selectChannel} from 'mattermost-redux/actions/channels';
import {selectTeam} from 'mattermost-redux/actions/teams';
import {getProfilesInChannel, loadMe, updateMe} from 'mattermost-redux/actions/users';
import {Client4} from 'mattermost-redux/client';
import {getCurrentChannel, getMyChannels} from 'mattermost-redux/selectors/entities/channels';
import {getCurrentTeam, getMyTeams} from 'mattermost-redux/selectors/entities/teams';
import {getCurrentUser, makeGetProfilesInChannel} from 'mattermost-redux/selectors/entities/users';

import {connectWebSocket, loadPlugins, loadTranslations, standin} from './boot';
import type {AdminSetting, HostPluginsState, HostViewsState, PluginComponent} from './store';

type HostState = GlobalState & {plugins: HostPluginsState; views: HostViewsState};
type AnyDispatch = (action: unknown) => Promise<{data?: unknown; error?: {message?: string}}>;

export const LANGUAGES: Array<[string, string]> = [['en', 'English'], ['de', 'Deutsch'], ['es', 'Español']];

const useHost = <T, >(select: (state: HostState) => T) => useSelector(select);
const useAnyDispatch = () => useDispatch() as unknown as AnyDispatch;
const components = (state: HostState, name: string): PluginComponent[] => state.plugins.components[name] ?? [];

/** The client wraps every plugin component so one that throws cannot take the page down. */
class Pluggable extends React.Component<{name: string; children: React.ReactNode}, {error: string}> {
    state = {error: ''};

    static getDerivedStateFromError(error: unknown) {
        return {error: String(error instanceof Error ? error.stack ?? error.message : error)};
    }

    componentDidCatch(error: unknown) {
        standin.errors.push(`${this.props.name}: ${String(error)}`);
    }

    render() {
        if (this.state.error) {
            return <div className='sx-crash' data-sx-error={this.props.name}>{`${this.props.name} crashed: ${this.state.error}`}</div>;
        }
        return this.props.children;
    }
}

function SignIn({onSignedIn}: {onSignedIn: () => void}) {
    const [login, setLogin] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const submit = async (loginId: string, secret: string) => {
        setError('');
        try {
            await Client4.login(loginId, secret);
            onSignedIn();
        } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
        }
    };
    // `make run` leaves the development admin's login next to the page.
    useEffect(() => {
        fetch('dev-login.json').then((r) => (r.ok ? r.json() : null)).then((dev) => {
            if (dev?.login && dev?.password) {
                setLogin(dev.login);
                setPassword(dev.password);
                submit(dev.login, dev.password);
            }
        }, () => undefined);
    }, []); // eslint-disable-line react-hooks/exhaustive-deps
    return (
        <form
            className='sx-signin'
            onSubmit={(e) => {
                e.preventDefault();
                submit(login, password);
            }}
        >
            <h1>{'Sign in to Mattermost'}</h1>
            <label>{'Email or username'}<input value={login} onChange={(e) => setLogin(e.target.value)} autoComplete='username'/></label>
            <label>{'Password'}<input type='password' value={password} onChange={(e) => setPassword(e.target.value)} autoComplete='current-password'/></label>
            {error && <p className='sx-error' role='alert'>{error}</p>}
            <button type='submit'>{'Sign in'}</button>
        </form>
    );
}

function MainMenu() {
    const items = useHost((s) => components(s, 'MainMenu'));
    const team = useHost(getCurrentTeam);
    const [open, setOpen] = useState(false);
    return (
        <div className='sx-team'>
            <button
                type='button'
                className='sx-team__button'
                aria-expanded={open}
                onClick={() => setOpen(!open)}
            >
                {`${team?.display_name ?? 'Team'} ▾`}
            </button>
            {open && (
                <ul className='sx-menu' role='menu' id='main-menu'>
                    {items.length === 0 && <li className='sx-menu__empty'>{'(no plugin items)'}</li>}
                    {items.map((item) => (
                        <li key={item.id} role='none'>
                            <button
                                type='button'
                                role='menuitem'
                                onClick={() => {
                                    setOpen(false);
                                    (item.action as () => void)();
                                }}
                            >
                                <Pluggable name='MainMenu'>
                                    <span className='sx-menu__icon'>{item.mobileIcon as React.ReactNode}</span>
                                    {item.text as React.ReactNode}
                                </Pluggable>
                            </button>
                        </li>
                    ))}
                </ul>
            )}
        </div>
    );
}

function Sidebar() {
    const dispatch = useAnyDispatch();
    const team = useHost(getCurrentTeam);
    const current = useHost(getCurrentChannel);
    const channels = useHost(getMyChannels).filter((c) => c.team_id === team?.id && (c.type === 'O' || c.type === 'P')).
        sort((a, b) => a.display_name.localeCompare(b.display_name));
    return (
        <nav className='sx-sidebar' aria-label='Channels'>
            <MainMenu/>
            <ul>
                {channels.map((c) => (
                    <li key={c.id}>
                        <button
                            type='button'
                            className={c.id === current?.id ? 'sx-active' : ''}
                            onClick={() => dispatch(selectChannel(c.id))}
                        >
                            {`${c.type === 'P' ? '🔒' : '#'} ${c.display_name}`}
                        </button>
                    </li>
                ))}
            </ul>
        </nav>
    );
}

function ChannelHeader({channel}: {channel: Channel}) {
    const buttons = useHost((s) => components(s, 'ChannelHeaderButton'));
    const me = useHost(getCurrentUser);
    return (
        <header className='sx-header' id='channel-header'>
            <h2>{`${channel.type === 'P' ? '🔒' : '#'} ${channel.display_name}`}</h2>
            <div className='sx-header__buttons'>
                {buttons.map((b) => (
                    <button
                        key={b.id}
                        type='button'
                        data-sx-id={b.id}
                        onClick={() => (b.action as (c: Channel, m: unknown) => void)(channel, {channel_id: channel.id, user_id: me.id})}
                    >
                        <Pluggable name='ChannelHeaderButton'>
                            {b.icon as React.ReactNode}
                            <span className='sx-tooltip' role='tooltip'>{b.tooltipText as React.ReactNode}</span>
                        </Pluggable>
                    </button>
                ))}
            </div>
        </header>
    );
}

function ProfilePopover({user, onClose}: {user: UserProfile; onClose: () => void}) {
    const attributes = useHost((s) => components(s, 'PopoverUserAttributes'));
    const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
    return (
        <div className='sx-popover' role='dialog' aria-label={`@${user.username}`} data-user-id={user.id}>
            <div className='sx-popover__name'>{name || user.username}</div>
            <div className='sx-popover__user'>{`@${user.username}`}</div>
            {attributes.map((a) => {
                const Component = a.component as React.ComponentType<Record<string, unknown>>;
                return (
                    <Pluggable key={a.id} name='PopoverUserAttributes'>
                        <Component user={user} hide={onClose} status='online' fromWebhook={false}/>
                    </Pluggable>
                );
            })}
            <button type='button' className='sx-link' onClick={onClose}>{'Close'}</button>
        </div>
    );
}

function Members({channel}: {channel: Channel}) {
    const dispatch = useAnyDispatch();
    const getProfiles = useMemo(makeGetProfilesInChannel, []);
    const members = useHost((s) => getProfiles(s, channel.id));
    const [shown, setShown] = useState<UserProfile | null>(null);
    useEffect(() => {
        dispatch(getProfilesInChannel(channel.id, 0, 100));
    }, [dispatch, channel.id]);
    return (
        <section className='sx-members' aria-label='Members'>
            <h3>{`Members (${members.length})`}</h3>
            <ul>
                {members.map((u) => (
                    <li key={u.id}>
                        <button type='button' data-user-id={u.id} onClick={() => setShown(u)}>{`@${u.username}`}</button>
                    </li>
                ))}
            </ul>
            {shown && <ProfilePopover user={shown} onClose={() => setShown(null)}/>}
        </section>
    );
}

function SystemConsole() {
    const settings = useHost((s) => s.plugins.adminConsoleCustomComponents);
    const [manifests, setManifests] = useState<PluginManifest[]>([]);
    useEffect(() => {
        Client4.getPlugins().then((res) => setManifests([...res.active, ...res.inactive]), () => undefined);
    }, []);
    return (
        <main className='sx-console' id='admin-console'>
            {Object.entries(settings).map(([pluginId, byKey]) => {
                const manifest = manifests.find((m) => m.id === pluginId);
                return (
                    <section key={pluginId}>
                        <h2>{`Plugins › ${manifest?.name ?? pluginId}`}</h2>
                        {Object.values(byKey).map((s: AdminSetting) => {
                            const schema = manifest?.settings_schema?.settings?.find((x) => x.key.toLowerCase() === s.key.toLowerCase());
                            const label = schema?.display_name ?? s.key;
                            const Component = s.component;
                            return (
                                <div key={s.key} className='sx-setting' data-setting={s.key}>
                                    {s.options.showTitle && <h3 className='sx-setting__title'>{label}</h3>}
                                    <Pluggable name={`AdminConsole ${s.key}`}>
                                        <Component id={s.key} label={label} helpText={schema?.help_text} value={undefined} disabled={false} onChange={() => undefined} setSaveNeeded={() => undefined}/>
                                    </Pluggable>
                                </div>
                            );
                        })}
                    </section>
                );
            })}
        </main>
    );
}

function Roots() {
    const roots = useHost((s) => components(s, 'Root'));
    return (
        <div id='roots'>
            {roots.map((r) => {
                const Component = r.component as React.ComponentType;
                return <Pluggable key={r.id} name={`Root ${r.id}`}><Component/></Pluggable>;
            })}
        </div>
    );
}

/** Loads what the client loads after sign-in: the user, teams, channels; then the plugins. */
function useSession() {
    const dispatch = useAnyDispatch();
    const me = useHost(getCurrentUser);
    const teams = useHost(getMyTeams);
    const [state, setState] = useState<'loading' | 'signin' | 'ready'>('loading');
    const hostStore = useStore<HostState>();
    const start = async () => {
        setState('loading');
        await dispatch(loadMe());
        // loadMe reports a missing session only by leaving no current user.
        setState(hostStore.getState().entities.users.currentUserId ? 'ready' : 'signin');
    };
    useEffect(() => {
        start();
    }, []); // eslint-disable-line react-hooks/exhaustive-deps
    useEffect(() => {
        if (state !== 'ready' || !me?.id) {
            return;
        }
        (async () => {
            // ?team=<name>&channel=<name> open that team and channel (the browser test uses them).
            const params = new URLSearchParams(window.location.search);
            const team = teams.find((t) => t.name === params.get('team')) ?? teams[0];
            if (team) {
                dispatch(selectTeam(team));
                const res = await dispatch(fetchChannelsAndMembers(team.id));
                const wanted = (res.data as {channels?: Channel[]} | undefined)?.channels?.find((c) => c.name === params.get('channel'));
                if (wanted) {
                    dispatch(selectChannel(wanted.id));
                }
            }
            await loadPlugins().catch((e: unknown) => standin.errors.push(String(e)));
            connectWebSocket();
            standin.ready = true;
        })();
    }, [state, me?.id]); // eslint-disable-line react-hooks/exhaustive-deps
    return {state, start, me};
}

export function App() {
    const dispatch = useAnyDispatch();
    const {state, start, me} = useSession();
    const locale = me?.locale || 'en';
    const messages = useHost((s) => s.views.i18n.translations[locale]);
    const channel = useHost(getCurrentChannel);
    const myChannels = useHost(getMyChannels);
    const [view, setView] = useState<'channels' | 'console'>(new URLSearchParams(window.location.search).get('view') === 'console' ? 'console' : 'channels');
    const plugins = standin.plugins.length;

    // The client loads translations (its own and every plugin's) for the user's language.
    useEffect(() => {
        if (plugins > 0 || state === 'ready') {
            loadTranslations(locale);
        }
    }, [locale, plugins, state]);
    useEffect(() => {
        if (!channel && myChannels.length > 0) {
            const first = myChannels.find((c) => c.name === 'town-square') ?? myChannels[0];
            dispatch(selectChannel(first.id));
        }
    }, [channel, myChannels, dispatch]);

    if (state === 'signin') {
        return <SignIn onSignedIn={start}/>;
    }
    if (state === 'loading' || !me) {
        return <p className='sx-loading'>{'Loading…'}</p>;
    }
    return (
        <IntlProvider locale={locale} messages={messages ?? {}} onError={() => undefined}>
            <div className='sx-top'>
                <span className='sx-top__brand'>{'Mattermost · stand-in client'}</span>
                <nav>
                    <button type='button' className={view === 'channels' ? 'sx-active' : ''} onClick={() => setView('channels')}>{'Channels'}</button>
                    <button type='button' className={view === 'console' ? 'sx-active' : ''} onClick={() => setView('console')}>{'System Console'}</button>
                </nav>
                <label className='sx-top__lang'>
                    {'Language '}
                    <select
                        value={locale}
                        aria-label='Language'
                        onChange={(e) => dispatch(updateMe({locale: e.target.value}))}
                    >
                        {LANGUAGES.map(([code, name]) => <option key={code} value={code}>{name}</option>)}
                    </select>
                </label>
                <span className='sx-top__user'>{`@${me.username}`}</span>
            </div>
            {view === 'channels' ? (
                <div className='sx-layout'>
                    <Sidebar/>
                    <main className='sx-center'>
                        {channel && <ChannelHeader channel={channel}/>}
                        {channel && <Members channel={channel}/>}
                    </main>
                </div>
            ) : <SystemConsole/>}
            <Roots/>
        </IntlProvider>
    );
}
