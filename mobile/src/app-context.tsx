import { createContext, useContext, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppClient } from './apollo/client';
import type { DeviceTokens } from './auth/device-tokens';
import type { Session, SessionStore } from './auth/session';
import { createFormat, languageOf, type Format, type Language } from './i18n';
import type { PushLifecycle } from './push/lifecycle';

export interface AppContextValue {
  readonly store: SessionStore;
  /** Device tokens of the accounts that signed in here, sent with their next sign-in. */
  readonly devices: DeviceTokens;
  readonly session: Session | null;
  readonly client: AppClient;
  readonly push: PushLifecycle;
  /** Unregisters push, ends the session on the server, purges the saved cache, forgets the tokens. */
  signOut(options?: { serverSide?: boolean }): Promise<void>;
  /** Shows the app in this language now (the profile is updated by the caller). */
  setLanguage(language: Language): void;
  /** Remembers the language to write into the profile of an account created on this device. */
  rememberSignUpLanguage(): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppContext');
  return value;
}

/** Dates, numbers and money in the current language. */
export function useFormat(): Format {
  const { i18n } = useTranslation();
  const language = languageOf(i18n.language) ?? 'en';
  return useMemo(() => createFormat(language), [language]);
}

/** '5 min ago', '2 h ago', then the date — in the current language. */
export function useTimeAgo(): (iso: string, now?: number) => string {
  const { t } = useTranslation();
  const f = useFormat();
  return (iso, now = Date.now()) => {
    const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    if (s < 60) return t('time.justNow');
    if (s < 3600) return t('time.minutesAgo', { count: Math.floor(s / 60) });
    if (s < 86_400) return t('time.hoursAgo', { count: Math.floor(s / 3600) });
    return f.date(iso);
  };
}
