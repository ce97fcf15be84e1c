// Russian is complete (every English key has a Russian text, with every plural form Russian needs), plurals and
// interpolation work through i18next, the language is chosen from the profile then the device, and dates, numbers
// and money follow the language.
import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en';
import { ru } from '../../src/i18n/ru';
import { createFormat } from '../../src/i18n/format';
import { createI18n } from '../../src/i18n/index';
import { resolveLanguage } from '../../src/i18n/resolve';

type Tree = { [key: string]: string | Tree };
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const PLURAL = /_(zero|one|two|few|many|other)$/;
const bases = (m: Map<string, string>) => new Set([...m.keys()].map((k) => k.replace(PLURAL, '')));

describe('translations', () => {
  const english = flatten(en);
  const russian = flatten(ru);

  it('has a Russian text for every English key and nothing else', () => {
    expect([...bases(english)].filter((k) => !bases(russian).has(k))).toEqual([]);
    expect([...bases(russian)].filter((k) => !bases(english).has(k))).toEqual([]);
  });

  it('gives every Russian plural the forms one, few, many and other', () => {
    const plurals = [...russian.keys()].filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, ''));
    for (const base of new Set(plurals))
      for (const form of ['one', 'few', 'many', 'other'])
        expect(russian.has(`${base}_${form}`), `${base}_${form}`).toBe(true);
  });

  it('keeps the same placeholders in both languages and translates the texts', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    // Brand names stay as they are (Google, Apple); everything else is Russian.
    const untranslated: string[] = [];
    for (const [key, text] of russian) {
      const base = key.replace(PLURAL, '');
      const english1 = english.get(key) ?? english.get(`${base}_other`) ?? '';
      expect(placeholders(text), key).toEqual(placeholders(english1));
      const words = text.replace(/\{\{\w+\}\}/g, '');
      if (
        /[a-z]{4,}/i.test(words) &&
        !/[а-яё]/i.test(words) &&
        ![
          'common.appName',
          'languages.en',
          'profile.channelPush',
          'social.providers.GOOGLE',
          'social.providers.APPLE',
        ].includes(key)
      )
        untranslated.push(key);
    }
    expect(untranslated).toEqual([]);
  });

  it('picks Russian plural forms through i18next', () => {
    const t = createI18n('ru').t;
    expect(t('plan.days', { count: 1 })).toBe('1 день');
    expect(t('plan.days', { count: 3 })).toBe('3 дня');
    expect(t('plan.days', { count: 11 })).toBe('11 дней');
    expect(t('plan.days', { count: 21 })).toBe('21 день');
    expect(t('camera.watching', { count: 5 })).toBe('смотрят 5');
    expect(createI18n('en').t('plan.days', { count: 1 })).toBe('1 day');
    expect(t('enums.rentalStatus.REQUESTED')).toBe('Заявка');
  });
});

describe('language and formats', () => {
  it('prefers the profile, then the device, then English', () => {
    expect(resolveLanguage('ru-RU', ['en-US'])).toBe('ru');
    expect(resolveLanguage('de-DE', ['fr-FR', 'ru-RU', 'en-GB'])).toBe('ru');
    expect(resolveLanguage(null, ['en-US'])).toBe('en');
    expect(resolveLanguage(undefined, ['ja-JP'])).toBe('en');
  });

  it('formats dates, money and numbers per language', () => {
    const ruF = createFormat('ru');
    const enF = createFormat('en');
    expect(ruF.date('2026-05-01')).toMatch(/^1 мая 2026/);
    expect(enF.date('2026-05-01')).toBe('1 May 2026');
    expect(ruF.money(1_234_500, 'RUB').replace(/\s/g, ' ')).toBe('12 345,00 ₽');
    expect(enF.money(4_500, 'EUR')).toBe('€45.00');
    expect(ruF.money(4_500, 'EUR').replace(/\s/g, ' ')).toBe('45,00 €');
    expect(ruF.number(2.5)).toBe('2,5');
    expect(ruF.month(5)).toBe('май');
    expect(enF.duration(3725)).toBe('1:02:05');
  });
});
