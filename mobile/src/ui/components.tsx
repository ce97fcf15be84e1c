import type { ApolloError } from '@apollo/client';
import type { ReactNode } from 'react';
import { ActivityIndicator, Pressable, ScrollView, StyleSheet, Text, TextInput, View, type TextInputProps, type ViewStyle } from 'react-native';
import { colors, space } from './theme';

export function Screen({ children, title, testID, scroll = true }: { children: ReactNode; title?: string; testID?: string; scroll?: boolean }) {
  const body = (
    <>
      {title ? (
        <Text accessibilityRole="header" style={styles.title}>
          {title}
        </Text>
      ) : null}
      {children}
    </>
  );
  return scroll ? (
    <ScrollView testID={testID} style={styles.screen} contentContainerStyle={styles.screenContent}>
      {body}
    </ScrollView>
  ) : (
    <View testID={testID} style={[styles.screen, styles.screenContent]}>
      {body}
    </View>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <View style={styles.center} testID="loading" accessibilityRole="progressbar">
      <ActivityIndicator color={colors.primary} />
      <Text style={styles.muted}>{label}</Text>
    </View>
  );
}

/** Human text of an Apollo error: the first GraphQL message, or a network hint. */
export function errorMessage(error: ApolloError | Error | undefined | null): string {
  if (!error) return '';
  const apollo = error as Partial<ApolloError>;
  const first = apollo.graphQLErrors?.[0];
  if (first) return first.message;
  if (apollo.networkError) return 'Cannot reach VegShare. Check your connection and try again.';
  return error.message;
}

export function ErrorView({ error, onRetry }: { error: ApolloError | Error; onRetry?: () => void }) {
  return (
    <View style={[styles.card, styles.errorCard]} testID="error" accessibilityRole="alert">
      <Text style={styles.errorText}>{errorMessage(error)}</Text>
      {onRetry ? <Button title="Try again" kind="secondary" onPress={onRetry} /> : null}
    </View>
  );
}

export function Empty({ text, testID }: { text: string; testID?: string }) {
  return (
    <View style={styles.center} testID={testID ?? 'empty'}>
      <Text style={styles.muted}>{text}</Text>
    </View>
  );
}

export function Button({
  title,
  onPress,
  kind = 'primary',
  disabled,
  testID,
  style,
}: {
  title: string;
  onPress: () => void;
  kind?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
  testID?: string;
  style?: ViewStyle;
}) {
  return (
    <Pressable
      testID={testID}
      accessibilityRole="button"
      accessibilityState={{ disabled: !!disabled }}
      disabled={disabled}
      onPress={onPress}
      style={({ pressed }) => [styles.button, styles[kind], (pressed || disabled) && { opacity: 0.6 }, style]}
    >
      <Text style={[styles.buttonText, kind !== 'primary' && { color: kind === 'danger' ? colors.danger : colors.primary }]}>{title}</Text>
    </Pressable>
  );
}

export function Field({ label, ...props }: TextInputProps & { label: string }) {
  return (
    <View style={{ marginBottom: space(3) }}>
      <Text style={styles.label}>{label}</Text>
      <TextInput accessibilityLabel={label} placeholderTextColor={colors.muted} style={styles.input} {...props} />
    </View>
  );
}

export function Card({ children, onPress, testID, style }: { children: ReactNode; onPress?: () => void; testID?: string; style?: ViewStyle }) {
  if (!onPress) {
    return (
      <View testID={testID} style={[styles.card, style]}>
        {children}
      </View>
    );
  }
  return (
    <Pressable testID={testID} accessibilityRole="button" onPress={onPress} style={({ pressed }) => [styles.card, style, pressed && { opacity: 0.8 }]}>
      {children}
    </Pressable>
  );
}

export function Section({ title, children, testID }: { title: string; children: ReactNode; testID?: string }) {
  return (
    <View style={{ marginTop: space(4) }} testID={testID}>
      <Text style={styles.sectionTitle}>{title}</Text>
      {children}
    </View>
  );
}

export function Pill({ text, color = colors.primary, testID }: { text: string; color?: string; testID?: string }) {
  return (
    <View testID={testID} style={[styles.pill, { borderColor: color }]}>
      <Text style={[styles.pillText, { color }]}>{text}</Text>
    </View>
  );
}

export function LoadMore({ hasMore, loading, onPress }: { hasMore: boolean; loading: boolean; onPress: () => void }) {
  if (!hasMore) return null;
  return <Button testID="load-more" title={loading ? 'Loading…' : 'Load more'} kind="secondary" disabled={loading} onPress={onPress} />;
}

export function money(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

export const styles = StyleSheet.create({
  screen: { flex: 1, backgroundColor: colors.bg },
  screenContent: { padding: space(4), paddingBottom: space(8), maxWidth: 720, width: '100%', alignSelf: 'center' },
  title: { fontSize: 26, fontWeight: '700', color: colors.text, marginBottom: space(3) },
  sectionTitle: { fontSize: 18, fontWeight: '700', color: colors.text, marginBottom: space(2) },
  center: { alignItems: 'center', justifyContent: 'center', padding: space(6), gap: space(2) },
  muted: { color: colors.muted },
  text: { color: colors.text },
  strong: { color: colors.text, fontWeight: '700' },
  card: { backgroundColor: colors.card, borderRadius: 12, padding: space(4), marginBottom: space(3), borderWidth: 1, borderColor: colors.border },
  errorCard: { borderColor: colors.danger, gap: space(2) },
  errorText: { color: colors.danger },
  button: { borderRadius: 10, paddingVertical: space(3), paddingHorizontal: space(4), alignItems: 'center', marginVertical: space(1) },
  primary: { backgroundColor: colors.primary },
  secondary: { backgroundColor: 'transparent', borderWidth: 1, borderColor: colors.primary },
  danger: { backgroundColor: 'transparent', borderWidth: 1, borderColor: colors.danger },
  buttonText: { color: colors.primaryText, fontWeight: '600', fontSize: 16 },
  label: { color: colors.muted, marginBottom: space(1), fontSize: 13 },
  input: { borderWidth: 1, borderColor: colors.border, borderRadius: 8, padding: space(3), backgroundColor: '#fff', color: colors.text, fontSize: 16 },
  pill: { borderWidth: 1, borderRadius: 999, paddingHorizontal: space(2), paddingVertical: 2, alignSelf: 'flex-start' },
  pillText: { fontSize: 12, fontWeight: '700' },
  row: { flexDirection: 'row', alignItems: 'center', gap: space(2) },
  between: { flexDirection: 'row', alignItems: 'center', justifyContent: 'space-between', gap: space(2) },
});
