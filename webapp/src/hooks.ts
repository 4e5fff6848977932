// React access to the client's store for the plugin's components: the
// client's react-redux (the ReactRedux global) and mattermost-redux's
// selectors over its entities, plus the plugin's own slice.
import {useEffect} from 'react';
import {useDispatch, useSelector} from 'react-redux';

import {loadMe} from './store/actions';
import type {Dispatch} from './store/actions';
import type {MeState} from './store/reducer';
import {getMeState} from './store/selectors';
import type {State} from './store/selectors';

/** The store's dispatch, typed for the plugin's thunks and mattermost-redux's actions. */
export const usePluginDispatch = useDispatch as unknown as () => Dispatch;

/** useSelector over the client's state (with the plugin's slice). */
export function usePluginSelector<T>(selector: (state: State) => T): T {
    return useSelector(selector);
}

/** GET /me, loaded on first use and shared by every component. */
export function useMe(): MeState {
    const dispatch = usePluginDispatch();
    const me = usePluginSelector(getMeState);
    useEffect(() => {
        dispatch(loadMe());
    }, [dispatch]);
    return me;
}
