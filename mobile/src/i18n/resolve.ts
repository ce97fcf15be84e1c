/** Languages the app is translated into. */
export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const FALLBACK_LANGUAGE: Language = 'en';

/** The language of a BCP 47 tag ('ru-RU' → 'ru'), or null when the app has no translation for it. */
export function languageOf(tag: string | null | undefined): Language | null {
  const base = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Language) : null;
}

/**
 * Which language to show: the profile's `locale` when the user chose one we have, else the first device language we
 * have (several languages may be set on a phone), else English.
 */
export function resolveLanguage(profileLocale: string | null | undefined, deviceLocales: readonly string[]): Language {
  return (
    languageOf(profileLocale) ??
    deviceLocales.map(languageOf).find((l): l is Language => l !== null) ??
    FALLBACK_LANGUAGE
  );
}

/** The locale stored in the profile for a language (regional forms decide date and number formats). */
export const PROFILE_LOCALE: Readonly<Record<Language, string>> = { ru: 'ru-RU', en: 'en-GB' };
