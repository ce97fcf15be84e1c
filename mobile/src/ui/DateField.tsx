import DateTimePicker, { DateTimePickerAndroid } from '@react-native-community/datetimepicker';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Platform, Pressable, Text, View } from 'react-native';
import { createFormat, languageOf } from '../i18n';
import { useTheme } from './theme-context';
import { space } from './theme';
import type { DateFieldProps } from './date-field-props';

const toDay = (d: Date): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const fromDay = (day: string): Date => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
};

/** A calendar day picker: the system date picker (a dialog on Android, a compact picker on iOS), value 'YYYY-MM-DD'. */
export function DateField({ label, value, onChange, min, max, testID }: DateFieldProps) {
  const { styles } = useTheme();
  const { i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const limits = { ...(min ? { minimumDate: fromDay(min) } : {}), ...(max ? { maximumDate: fromDay(max) } : {}) };
  const show = () => {
    if (Platform.OS === 'android') {
      DateTimePickerAndroid.open({
        value: fromDay(value),
        mode: 'date',
        ...limits,
        onChange: (event, date) => event.type === 'set' && date && onChange(toDay(date)),
      });
    } else setOpen((o) => !o);
  };
  const shown = createFormat(languageOf(i18n.language) ?? 'en').date(value);
  return (
    <View style={{ marginBottom: space(3) }}>
      <Text style={styles.label}>{label}</Text>
      <Pressable
        testID={testID}
        accessibilityRole="button"
        accessibilityLabel={`${label}: ${shown}`}
        onPress={show}
        style={styles.input}
      >
        <Text style={styles.text}>{shown}</Text>
      </Pressable>
      {open && Platform.OS === 'ios' ? (
        <DateTimePicker
          value={fromDay(value)}
          mode="date"
          display="inline"
          locale={i18n.language}
          {...limits}
          onChange={(_e, date) => date && onChange(toDay(date))}
        />
      ) : null}
    </View>
  );
}
