// The stand-in page: a small web client that loads the plugin the way the
// Mattermost web app does, for the browser test and for `make run` (no
// Mattermost web client can be built here). It exports the libraries the
// client exports to plugins (window.React, ReactDOM, ReactIntl, Redux,
// ReactRedux), builds its store with mattermost-redux, signs in against the
// real server, loads every webapp plugin bundle the server lists (GET
// /api/v4/plugins/webapp, from /static/plugins/...), initialises each with a
// registry offering the real registry's methods (registry.ts), relays the
// server's WebSocket events to the handlers plugins register (boot.ts), and
// renders what they registered in look-alike places (app.tsx).
import React from 'react';
import ReactDOM from 'react-dom';
import {createRoot} from 'react-dom/client';
import * as ReactIntl from 'react-intl';
import * as ReactRedux from 'react-redux';
import * as Redux from 'redux';

import {Client4} from 'mattermost-redux/client';

import {App} from './app';
import {registerPlugin, standin, store} from './boot';

Object.assign(window, {React, ReactDOM, ReactIntl, Redux, ReactRedux, standin, registerPlugin});

Client4.setUrl(window.location.origin);
createRoot(document.getElementById('root')!).render(
    <ReactRedux.Provider store={store}>
        <App/>
    </ReactRedux.Provider>,
);
