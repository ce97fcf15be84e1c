import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { StyleSheet, useColorScheme } from 'react-native';
import { palettes, space, TOUCH, type Palette } from './theme';

function makeStyles(c: Palette) {
  return StyleSheet.create({
    screen: { flex: 1, backgroundColor: c.bg },
    screenContent: { padding: space(4), paddingBottom: space(8), maxWidth: 720, width: '100%', alignSelf: 'center' },
    title: { fontSize: 26, fontWeight: '700', color: c.text, marginBottom: space(3) },
    sectionTitle: { fontSize: 18, fontWeight: '700', color: c.text, marginBottom: space(2) },
    center: { alignItems: 'center', justifyContent: 'center', padding: space(6), gap: space(2) },
    muted: { color: c.muted },
    text: { color: c.text },
    strong: { color: c.text, fontWeight: '700' },
    card: {
      backgroundColor: c.card,
      borderRadius: 12,
      padding: space(4),
      marginBottom: space(3),
      borderWidth: 1,
      borderColor: c.border,
    },
    errorCard: { borderColor: c.danger, gap: space(2) },
    errorText: { color: c.danger },
    button: {
      minHeight: TOUCH,
      borderRadius: 10,
      paddingVertical: space(3),
      paddingHorizontal: space(4),
      alignItems: 'center',
      justifyContent: 'center',
      marginVertical: space(1),
    },
    primary: { backgroundColor: c.primary },
    secondary: { backgroundColor: 'transparent', borderWidth: 1, borderColor: c.primary },
    danger: { backgroundColor: 'transparent', borderWidth: 1, borderColor: c.danger },
    buttonText: { color: c.primaryText, fontWeight: '600', fontSize: 16 },
    label: { color: c.muted, marginBottom: space(1), fontSize: 14 },
    input: {
      minHeight: TOUCH,
      borderWidth: 1,
      borderColor: c.border,
      borderRadius: 8,
      padding: space(3),
      backgroundColor: c.inputBg,
      color: c.text,
      fontSize: 16,
    },
    pill: {
      borderWidth: 1,
      borderRadius: 999,
      paddingHorizontal: space(2),
      paddingVertical: 2,
      alignSelf: 'flex-start',
    },
    pillText: { fontSize: 13, fontWeight: '700' },
    row: { flexDirection: 'row', alignItems: 'center', gap: space(2) },
    between: { flexDirection: 'row', alignItems: 'center', justifyContent: 'space-between', gap: space(2) },
    link: {
      color: c.primary,
      fontWeight: '600',
      textDecorationLine: 'underline',
      paddingVertical: space(3),
      minHeight: TOUCH,
    },
  });
}
export type Styles = ReturnType<typeof makeStyles>;

interface Theme {
  readonly scheme: 'light' | 'dark';
  readonly colors: Palette;
  readonly styles: Styles;
}

const built = {
  light: { scheme: 'light', colors: palettes.light, styles: makeStyles(palettes.light) },
  dark: { scheme: 'dark', colors: palettes.dark, styles: makeStyles(palettes.dark) },
} as const satisfies Record<string, Theme>;
const ThemeContext = createContext<Theme>(built.light);

/** Light or dark following the system setting. */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const scheme = useColorScheme() === 'dark' ? 'dark' : 'light';
  const theme = useMemo(() => built[scheme], [scheme]);
  return <ThemeContext.Provider value={theme}>{children}</ThemeContext.Provider>;
}

export const useTheme = (): Theme => useContext(ThemeContext);
