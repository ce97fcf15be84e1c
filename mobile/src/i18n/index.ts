import 'intl-pluralrules';
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { ru } from './ru';
import { FALLBACK_LANGUAGE, type Language } from './resolve';

export { LANGUAGES, languageOf, resolveLanguage, PROFILE_LOCALE, type Language } from './resolve';
export { createFormat, type Format } from './format';

export const resources = { en: { translation: en }, ru: { translation: ru } } as const;

/** One i18next instance for the app; every string of the UI goes through it. */
export function createI18n(language: Language): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: FALLBACK_LANGUAGE,
    supportedLngs: ['en', 'ru'],
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    initAsync: false,
  });
  return instance;
}
