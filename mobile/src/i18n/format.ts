import { PROFILE_LOCALE, type Language } from './resolve';

/**
 * Dates, numbers and money per language through Intl (Hermes and browsers ship it). Plain calendar days ('YYYY-MM-DD')
 * are formatted in UTC so that a day never shifts with the device's time zone.
 */
export function createFormat(language: Language) {
  const locale = PROFILE_LOCALE[language];
  const dayFormat = new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const monthFormat = new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const number = (digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
  return {
    locale,
    /** '2026-05-01' or an ISO instant → '1 May 2026' / '1 мая 2026 г.' */
    date(value: string | null | undefined): string {
      if (!value) return '';
      const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
      return Number.isNaN(d.getTime()) ? '' : dayFormat.format(d);
    },
    dateTime(value: string): string {
      const d = new Date(value);
      return Number.isNaN(d.getTime()) ? '' : dateTimeFormat.format(d);
    },
    /** 1–12 → 'May' / 'май'. */
    month(month: number): string {
      return monthFormat.format(new Date(Date.UTC(2024, month - 1, 15)));
    },
    number(value: number, digits = 1): string {
      return number(digits).format(value);
    },
    /** Money from minor units (cents, kopecks), e.g. 12000 RUB → '120,00 ₽'; 4500 EUR → '€45.00'. */
    money(cents: number, currency: string): string {
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);
      } catch {
        return `${number(2).format(cents / 100)} ${currency}`;
      }
    },
    /** Weight in kilograms with the locale's unit. */
    kg(value: number): string {
      try {
        return new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilogram', maximumFractionDigits: 1 }).format(
          value,
        );
      } catch {
        return `${number(1).format(value)} kg`;
      }
    },
    /** Seconds → '1:05' or '1:02:05'. */
    duration(seconds: number): string {
      const s = Math.max(0, Math.round(seconds));
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      const rest = String(s % 60).padStart(2, '0');
      return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
    },
    percent(share: number): string {
      return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);
    },
  };
}
export type Format = ReturnType<typeof createFormat>;
