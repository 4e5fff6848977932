// The harness side of e2e/webapp.mjs: provides what the Mattermost web client
// gives a plugin (globals, registry, store) and mounts whatever the plugin
// registers in look-alike slots. Loaded before the plugin's main.js; the
// plugin is initialised once the document has loaded, as the client does
// after fetching every plugin's bundle.
//
// window.harness is the driver's handle: the recorded registry calls, the
// plugin instance, and functions that put a user in the profile popover,
// a channel in the header, and the System Console page on screen.
(function () {
    'use strict';

    const h = React.createElement;
    window.Redux = window.Redux || {};
    window.ReactRedux = window.ReactRedux || {};
    document.getElementById('hx-origin').textContent = window.location.origin;

    // ---- a tiny observable for the harness's own view state -----------------
    const listeners = new Set();
    let version = 0;
    const changed = () => {
        version++;
        listeners.forEach((fn) => fn());
    };
    const subscribe = (fn) => {
        listeners.add(fn);
        return () => listeners.delete(fn);
    };
    const useHarness = () => React.useSyncExternalStore(subscribe, () => version);

    const view = {popoverUsers: [], channel: null, admin: false, schema: {}};

    // ---- the client's Redux store, as far as plugins read it ----------------
    let state = {entities: {general: {config: {}}, channels: {currentChannelId: ''}, users: {currentUserId: '', profiles: {}}}};
    const storeListeners = new Set();
    const store = {
        getState: () => state,
        subscribe(fn) {
            storeListeners.add(fn);
            return () => storeListeners.delete(fn);
        },
        dispatch: (action) => action,
    };
    function setEntities(patch) {
        state = {entities: {...state.entities, ...patch}};
        storeListeners.forEach((fn) => fn());
    }

    // ---- the registry: records every call, keeps what it is given ----------
    const calls = [];
    const reg = {translations: null, roots: [], popover: [], headerButtons: [], mainMenu: [], adminSettings: [], ws: {}, reconnect: []};
    let nextId = 1;
    const newId = () => `hx-${nextId++}`;
    const describe = (v) => {
        if (v === null || v === undefined) {
            return String(v);
        }
        if (typeof v === 'function') {
            return `function ${v.displayName || v.name || ''}`.trim();
        }
        if (React.isValidElement(v)) {
            const type = v.type;
            return `<${typeof type === 'string' ? type : (type.displayName || type.name || 'Component')}>`;
        }
        if (typeof v === 'object') {
            try {
                return JSON.stringify(v);
            } catch (e) {
                return '[object]';
            }
        }
        return String(v);
    };
    const record = (method, args, id) => {
        calls.push({method, args: Array.from(args).map(describe), id: id || ''});
    };

    const known = {
        registerTranslations(fn) {
            record('registerTranslations', arguments);
            reg.translations = fn;
        },
        registerRootComponent(component) {
            const id = newId();
            record('registerRootComponent', arguments, id);
            reg.roots.push({id, component});
            changed();
            return id;
        },
        registerPopoverUserAttributesComponent(component) {
            const id = newId();
            record('registerPopoverUserAttributesComponent', arguments, id);
            reg.popover.push({id, component});
            changed();
            return id;
        },
        registerChannelHeaderButtonAction(icon, action, dropdownText, tooltipText) {
            const id = newId();
            record('registerChannelHeaderButtonAction', arguments, id);
            reg.headerButtons.push({id, icon, action, dropdownText, tooltipText});
            changed();
            return id;
        },
        registerMainMenuAction(text, action, mobileIcon) {
            const id = newId();
            record('registerMainMenuAction', arguments, id);
            reg.mainMenu.push({id, text, action, mobileIcon});
            changed();
            return id;
        },
        registerAdminConsoleCustomSetting(key, component, options) {
            record('registerAdminConsoleCustomSetting', arguments);
            reg.adminSettings.push({key, component, options: options || {}});
            changed();
        },
        registerWebSocketEventHandler(event, handler) {
            record('registerWebSocketEventHandler', arguments);
            (reg.ws[event] = reg.ws[event] || []).push(handler);
        },
        registerReconnectHandler(handler) {
            record('registerReconnectHandler', arguments);
            reg.reconnect.push(handler);
        },
        unregisterComponent(id) {
            record('unregisterComponent', arguments);
            for (const key of ['roots', 'popover', 'headerButtons', 'mainMenu']) {
                reg[key] = reg[key].filter((entry) => entry.id !== id);
            }
            changed();
        },
    };
    // Any other registry method the plugin calls is recorded too (and
    // answered with an id), so the test sees calls the harness lacks.
    const registry = new Proxy(known, {
        get(target, prop) {
            if (prop in target || typeof prop !== 'string') {
                return target[prop];
            }
            return function () {
                const id = newId();
                record(prop, arguments, id);
                calls[calls.length - 1].unknown = true;
                return id;
            };
        },
    });

    // ---- slots ----------------------------------------------------------
    class Boundary extends React.Component {
        constructor(props) {
            super(props);
            this.state = {error: null};
        }
        static getDerivedStateFromError(error) {
            return {error};
        }
        render() {
            if (this.state.error) {
                return h('div', {className: 'hx-error', 'data-hx-error': this.props.name}, `${this.props.name} crashed: ${this.state.error && this.state.error.stack}`);
            }
            return this.props.children;
        }
    }
    const slot = (id, title, children) => h('section', {id, className: 'hx-slot'}, h('h2', null, title), h(Boundary, {name: id}, children));

    function MainMenu() {
        return slot('main-menu', 'Main menu', h('ul', {className: 'hx-menu', role: 'menu'},
            reg.mainMenu.length === 0 ? h('li', {className: 'hx-empty'}, '(no plugin items)') : null,
            reg.mainMenu.map((item) => h('li', {key: item.id, role: 'none'},
                h('button', {type: 'button', role: 'menuitem', 'data-hx-id': item.id, onClick: () => item.action()}, item.mobileIcon, item.text)))));
    }

    function ChannelHeader() {
        const ch = view.channel;
        if (!ch) {
            return null;
        }
        return slot('channel-header', 'Channel header', h('div', {className: 'hx-header'},
            h('span', {className: 'hx-header__name'}, `# ${ch.display_name || ch.name}`),
            h('div', {className: 'hx-header__buttons'}, reg.headerButtons.map((b, i) => h('button', {
                key: b.id,
                type: 'button',
                'data-hx-id': b.id,
                'data-hx-index': String(i),
                onClick: () => b.action(ch, {channel_id: ch.id, user_id: state.entities.users.currentUserId}),
            }, b.icon, h('span', {className: 'hx-tooltip', hidden: true}, b.tooltipText))))));
    }

    function Popovers() {
        if (view.popoverUsers.length === 0) {
            return null;
        }
        return slot('popover', 'Profile popover', h('div', {className: 'hx-popovers'}, view.popoverUsers.map((user) => h('div', {key: user.id, className: 'hx-popover', 'data-user-id': user.id},
            h('div', {className: 'hx-popover__name'}, [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username),
            h('div', {className: 'hx-popover__user'}, `@${user.username}`),
            reg.popover.map((p) => h(p.component, {key: p.id, user, hide: () => undefined}))))));
    }

    function AdminConsole() {
        if (!view.admin) {
            return null;
        }
        // Title and help text come from the manifest's settings_schema, as in the console.
        return slot('admin-console', 'System Console › Plugins › Guest Accounts', reg.adminSettings.map((s) => {
            const schema = view.schema[s.key] || {};
            const label = schema.display_name || s.key;
            return h('div', {key: s.key, className: 'hx-setting', 'data-setting': s.key},
                s.options.showTitle ? h('h3', {className: 'hx-setting__title'}, label) : null,
                h(s.component, {id: s.key, label, helpText: schema.help_text, value: undefined, disabled: false, onChange: () => undefined, setSaveNeeded: () => undefined}),
                schema.help_text ? h('p', {className: 'hx-setting__help'}, schema.help_text) : null);
        }));
    }

    function App() {
        useHarness();
        return h(React.Fragment, null,
            h(MainMenu), h(ChannelHeader), h(Popovers), h(AdminConsole),
            h('div', {id: 'roots'}, reg.roots.map((r) => h(Boundary, {key: r.id, name: `root ${r.id}`}, h(r.component)))));
    }

    // ---- plugin loading -------------------------------------------------
    let plugin = null;
    window.registerPlugin = (id, p) => {
        calls.push({method: 'window.registerPlugin', args: [id], id: ''});
        plugin = p;
        window.harness.pluginId = id;
    };

    window.harness = {
        calls,
        registry: reg,
        store,
        initialized: false,
        error: '',
        get plugin() {
            return plugin;
        },
        setCurrentUser(userId, locale) {
            setEntities({users: {currentUserId: userId, profiles: {[userId]: {id: userId, locale: locale || 'en'}}}});
        },
        setChannel(channel) {
            view.channel = channel;
            setEntities({channels: {currentChannelId: channel ? channel.id : ''}});
            changed();
        },
        showPopover(users) {
            view.popoverUsers = users;
            changed();
        },
        showAdminConsole(schemaByKey) {
            view.admin = true;
            view.schema = schemaByKey || {};
            changed();
        },
        emitWebSocket(event, data) {
            (reg.ws[event] || []).forEach((fn) => fn({event, data, broadcast: {}, seq: 0}));
        },
        translate(key) {
            return reg.translations ? (reg.translations('en') || {})[key] : undefined;
        },
    };

    window.addEventListener('DOMContentLoaded', () => {
        try {
            if (!plugin) {
                throw new Error('main.js did not call window.registerPlugin');
            }
            plugin.initialize(registry, store);
            ReactDOM.createRoot(document.getElementById('app')).render(h(App));
            window.harness.initialized = true;
        } catch (e) {
            window.harness.error = String(e && e.stack ? e.stack : e);
            console.error('harness:', e); // eslint-disable-line no-console
        }
    });
}());
