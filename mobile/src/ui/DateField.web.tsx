import { Text, View } from 'react-native';
import { useTheme } from './theme-context';
import { space, TOUCH } from './theme';
import type { DateFieldProps } from './date-field-props';

/** A calendar day picker: the browser's own date input (keyboard and screen-reader friendly), value 'YYYY-MM-DD'. */
export function DateField({ label, value, onChange, min, max, testID }: DateFieldProps) {
  const { styles, colors } = useTheme();
  return (
    <View style={{ marginBottom: space(3) }}>
      <Text style={styles.label}>{label}</Text>
      <input
        type="date"
        aria-label={label}
        data-testid={testID}
        value={value}
        min={min}
        max={max}
        onChange={(e) => {
          if (e.target.value) onChange(e.target.value);
        }}
        style={{
          minHeight: TOUCH,
          boxSizing: 'border-box',
          width: '100%',
          fontSize: 16,
          padding: 10,
          borderRadius: 8,
          border: `1px solid ${colors.border}`,
          background: colors.inputBg,
          color: colors.text,
          colorScheme: colors.bg === '#121512' ? 'dark' : 'light',
        }}
      />
    </View>
  );
}
