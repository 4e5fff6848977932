// Opens and closes one of the plugin's own dialogs (invite, channel guests)
// from registry actions, which run outside React.
import {Observable} from './observable';

export interface ModalState {
    open: boolean;

    /** The channel to preselect (the one whose header button was clicked). */
    channelId?: string;
}

export class ModalController extends Observable {
    private current: ModalState = {open: false};

    get state(): ModalState {
        return this.current;
    }

    open(channelId?: string): void {
        this.current = {open: true, channelId};
        this.notify();
    }

    close(): void {
        this.current = {open: false};
        this.notify();
    }
}
