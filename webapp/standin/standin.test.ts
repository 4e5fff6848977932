// The stand-in's registry against the real client's (registry_api.json).
import {createStore} from 'redux';

import {API_METHODS, UNPROVEN, createRegistry, namedArgs} from './registry';
import type {RegistryCall} from './registry';

function registry() {
    const calls: RegistryCall[] = [];
    const store = createStore((s: {actions: unknown[]} = {actions: []}, a) => ({actions: [...s.actions, a]}));
    return {reg: createRegistry('p', store, calls, new Map()), calls, store};
}

describe('the stand-in registry', () => {
    it('offers exactly the real registry\'s methods proven in the pinned version, and nothing else', () => {
        const {reg} = registry();
        const offered = Object.keys(reg).filter((k) => typeof reg[k] === 'function').sort();
        const real = Object.keys(API_METHODS).filter((m) => !UNPROVEN.includes(m)).sort();
        expect(offered).toEqual(real);
        expect(real.length).toBeGreaterThan(50);
        expect(reg.supports).toEqual({globalAppBar: true, globalRhs: true});
    });

    it('takes arguments positionally or as one object of them, like the client\'s reArg', () => {
        const params = ['icon', 'action', 'dropdownText', 'tooltipText'];
        expect(namedArgs(params, [1, 2])).toEqual({icon: 1, action: 2, dropdownText: undefined, tooltipText: undefined});
        expect(namedArgs(params, [{icon: 1, tooltipText: 4}])).toEqual({icon: 1, tooltipText: 4});
        expect(namedArgs(params, [{icon: 1, other: 2}])).toEqual({icon: {icon: 1, other: 2}, action: undefined, dropdownText: undefined, tooltipText: undefined});
    });

    it('refuses more arguments than the real method takes, and puts components where the client does', () => {
        const {reg, calls, store} = registry();
        const call = (m: string, ...args: unknown[]) => (reg[m] as (...a: unknown[]) => unknown)(...args);
        expect(() => call('registerRootComponent', 'a', 'b')).toThrow('registerRootComponent takes 1 arguments (component), got 2');
        const id = call('registerMainMenuAction', {text: 'Invite', action: () => undefined});
        expect(typeof id).toBe('string');
        expect(calls.map((c) => c.method)).toEqual(['registerMainMenuAction']);
        expect(store.getState().actions).toContainEqual({type: 'RECEIVED_PLUGIN_COMPONENT', name: 'MainMenu', data: expect.objectContaining({id, pluginId: 'p', text: 'Invite'})});
        call('unregisterComponent', id);
        expect(store.getState().actions).toContainEqual({type: 'REMOVED_PLUGIN_COMPONENT', id});
    });
});
