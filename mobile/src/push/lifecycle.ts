/** What the OS offers (expo-notifications on devices; scripted in tests). */
export interface PushOs {
  /** 'ios' | 'android' | 'web'. */
  readonly platform: string;
  /** Push tokens exist only on real devices (not simulators, not the web). */
  readonly supported: boolean;
  getPermission(): Promise<PermissionState>;
  /** Shows the system prompt (once; later calls answer with the stored choice). */
  requestPermission(): Promise<PermissionState>;
  /** The Expo push token of this install. */
  getToken(): Promise<string>;
}
export type PermissionState = 'granted' | 'denied' | 'undetermined';

/** The user subgraph's device registry. */
export interface PushRegistry {
  register(token: string, platform: 'IOS' | 'ANDROID'): Promise<void>;
  unregister(token: string): Promise<void>;
}

export type PushStatus = 'unsupported' | 'off' | 'denied' | 'on';

/**
 * The push-token lifecycle of one install:
 * - at sign-in (and every app start while signed in): if the user already allowed notifications, the token is
 *   registered again (tokens can change; the server keeps `lastSeenAt`); the system prompt is NOT shown here;
 * - `enable()`, at a sensible moment (the user asked in Settings, or just requested a rental and would want to hear
 *   back): shows the system prompt once and registers on consent;
 * - at sign-out: the token is unregistered first, so the next person on this phone gets none of these pushes.
 */
export class PushLifecycle {
  #token: string | null = null;
  #status: PushStatus;

  constructor(
    private readonly os: PushOs,
    private readonly registry: PushRegistry,
  ) {
    this.#status = os.supported ? 'off' : 'unsupported';
  }

  get status(): PushStatus {
    return this.#status;
  }

  get token(): string | null {
    return this.#token;
  }

  #platform(): 'IOS' | 'ANDROID' | null {
    return this.os.platform === 'ios' ? 'IOS' : this.os.platform === 'android' ? 'ANDROID' : null;
  }

  async #register(): Promise<PushStatus> {
    const platform = this.#platform();
    if (!platform) return (this.#status = 'unsupported');
    const token = await this.os.getToken();
    await this.registry.register(token, platform);
    this.#token = token;
    return (this.#status = 'on');
  }

  /** Signed in (or app started signed in): registers silently when permission was given before. */
  async onSignedIn(): Promise<PushStatus> {
    if (!this.os.supported) return this.#status;
    const permission = await this.os.getPermission();
    if (permission === 'granted') return this.#register();
    return (this.#status = permission === 'denied' ? 'denied' : 'off');
  }

  /** Asks the system for permission (when it has not been answered) and registers on consent. */
  async enable(): Promise<PushStatus> {
    if (!this.os.supported) return this.#status;
    let permission = await this.os.getPermission();
    if (permission === 'undetermined') permission = await this.os.requestPermission();
    if (permission !== 'granted') return (this.#status = 'denied');
    return this.#register();
  }

  /** Before signing out: this device stops receiving the user's pushes (best effort when offline). */
  async onSignOut(): Promise<void> {
    const token = this.#token;
    this.#token = null;
    this.#status = this.os.supported ? 'off' : 'unsupported';
    if (token) await this.registry.unregister(token).catch(() => undefined);
  }
}
