import { CombinedGraphQLErrors } from '@apollo/client';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ActivityIndicator,
  KeyboardAvoidingView,
  Platform,
  Pressable,
  RefreshControl,
  ScrollView,
  Switch,
  Text,
  TextInput,
  View,
  type TextInputProps,
  type ViewStyle,
} from 'react-native';
import { useTheme } from './theme-context';
import { space, TOUCH } from './theme';

/**
 * A screen: scrolls, avoids the keyboard (forms stay visible while typing), and offers pull-to-refresh when
 * `onRefresh` is given (every list does).
 */
export function Screen({
  children,
  title,
  testID,
  onRefresh,
}: {
  children: ReactNode;
  title?: string;
  testID?: string;
  onRefresh?: () => Promise<unknown>;
}) {
  const { styles, colors } = useTheme();
  const [refreshing, setRefreshing] = useState(false);
  const refresh = onRefresh
    ? () => {
        setRefreshing(true);
        void onRefresh()
          .catch(() => undefined)
          .finally(() => setRefreshing(false));
      }
    : undefined;
  return (
    <KeyboardAvoidingView style={{ flex: 1 }} behavior={Platform.OS === 'ios' ? 'padding' : undefined}>
      <ScrollView
        testID={testID}
        style={styles.screen}
        contentContainerStyle={styles.screenContent}
        keyboardShouldPersistTaps="handled"
        refreshControl={
          refresh ? (
            <RefreshControl
              refreshing={refreshing}
              onRefresh={refresh}
              tintColor={colors.primary}
              colors={[colors.primary]}
            />
          ) : undefined
        }
      >
        {title ? (
          <Text accessibilityRole="header" style={styles.title}>
            {title}
          </Text>
        ) : null}
        {children}
      </ScrollView>
    </KeyboardAvoidingView>
  );
}

export function Loading({ label }: { label?: string }) {
  const { styles, colors } = useTheme();
  const { t } = useTranslation();
  return (
    <View style={styles.center} testID="loading" accessibilityRole="progressbar">
      <ActivityIndicator color={colors.primary} />
      <Text style={styles.muted}>{label ?? t('common.loading')}</Text>
    </View>
  );
}

const KNOWN_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'BAD_USER_INPUT',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
]);

/**
 * Human text of an error in the current language: a translated sentence per error code (the server's stable
 * `extensions.code`), except that English shows the server's own, more precise message for input problems; network
 * problems get a connection hint.
 */
export function useErrorMessage(): (error: unknown) => string {
  const { t, i18n } = useTranslation();
  return (error) => {
    if (!error) return '';
    if (CombinedGraphQLErrors.is(error)) {
      const first = error.errors[0];
      const code = String(first?.extensions?.['code'] ?? '');
      if (first?.extensions?.['reason'] === 'PLOT_NOT_AVAILABLE') return t('errors.PLOT_NOT_AVAILABLE');
      if (first?.extensions?.['reason'] === 'PROVIDER_REJECTED') return t('errors.PROVIDER_REJECTED');
      if (code === 'RATE_LIMITED')
        return t('errors.RATE_LIMITED', {
          minutes: Math.max(1, Math.ceil(Number(first?.extensions?.['retryAfter'] ?? 60) / 60)),
        });
      if (code === 'BAD_USER_INPUT' && i18n.language === 'en' && first?.message) return first.message;
      return KNOWN_CODES.has(code) ? t(`errors.${code}`) : t('errors.INTERNAL_SERVER_ERROR');
    }
    if (error instanceof Error && error.message === 'SESSION_ENDED') return t('common.sessionEnded');
    return t('common.networkError');
  };
}

export function ErrorView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { styles } = useTheme();
  const { t } = useTranslation();
  const message = useErrorMessage();
  return (
    <View style={[styles.card, styles.errorCard]} testID="error" accessibilityRole="alert">
      <Text style={styles.errorText}>{message(error)}</Text>
      {onRetry ? <Button title={t('common.retry')} kind="secondary" onPress={onRetry} /> : null}
    </View>
  );
}

export function Empty({ text, testID }: { text: string; testID?: string }) {
  const { styles } = useTheme();
  return (
    <View style={styles.center} testID={testID ?? 'empty'}>
      <Text style={[styles.muted, { textAlign: 'center' }]}>{text}</Text>
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
  accessibilityLabel,
}: {
  title: string;
  onPress: () => void;
  kind?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
  testID?: string;
  style?: ViewStyle;
  accessibilityLabel?: string;
}) {
  const { styles, colors } = useTheme();
  return (
    <Pressable
      testID={testID}
      accessibilityRole="button"
      accessibilityLabel={accessibilityLabel}
      accessibilityState={{ disabled: !!disabled }}
      disabled={disabled}
      onPress={onPress}
      hitSlop={4}
      style={({ pressed }) => [styles.button, styles[kind], (pressed || disabled) && { opacity: 0.6 }, style]}
    >
      <Text
        style={[styles.buttonText, kind !== 'primary' && { color: kind === 'danger' ? colors.danger : colors.primary }]}
      >
        {title}
      </Text>
    </Pressable>
  );
}

export function Field({ label, ...props }: TextInputProps & { label: string }) {
  const { styles, colors } = useTheme();
  return (
    <View style={{ marginBottom: space(3) }}>
      <Text style={styles.label}>{label}</Text>
      <TextInput accessibilityLabel={label} placeholderTextColor={colors.muted} style={styles.input} {...props} />
    </View>
  );
}

export function Card({
  children,
  onPress,
  testID,
  style,
  accessibilityLabel,
}: {
  children: ReactNode;
  onPress?: () => void;
  testID?: string;
  style?: ViewStyle;
  accessibilityLabel?: string;
}) {
  const { styles } = useTheme();
  if (!onPress) {
    return (
      <View testID={testID} style={[styles.card, style]}>
        {children}
      </View>
    );
  }
  return (
    <Pressable
      testID={testID}
      accessibilityRole="button"
      accessibilityLabel={accessibilityLabel}
      onPress={onPress}
      style={({ pressed }) => [styles.card, { minHeight: TOUCH }, style, pressed && { opacity: 0.8 }]}
    >
      {children}
    </Pressable>
  );
}

export function Section({ title, children, testID }: { title: string; children: ReactNode; testID?: string }) {
  const { styles } = useTheme();
  return (
    <View style={{ marginTop: space(4) }} testID={testID}>
      <Text accessibilityRole="header" style={styles.sectionTitle}>
        {title}
      </Text>
      {children}
    </View>
  );
}

export type Tone = 'primary' | 'accent' | 'muted' | 'live' | 'danger';

/** A status label: text in the tone's colour (contrast ≥ 4.5:1 on cards), a border of the same colour. */
export function Pill({ text, tone = 'primary', testID }: { text: string; tone?: Tone; testID?: string }) {
  const { styles, colors } = useTheme();
  const color = colors[tone];
  return (
    <View testID={testID} style={[styles.pill, { borderColor: color }]}>
      <Text style={[styles.pillText, { color }]}>{text}</Text>
    </View>
  );
}

export function LoadMore({ hasMore, loading, onPress }: { hasMore: boolean; loading: boolean; onPress: () => void }) {
  const { t } = useTranslation();
  if (!hasMore) return null;
  return (
    <Button
      testID="load-more"
      title={loading ? t('common.loading') : t('common.loadMore')}
      kind="secondary"
      disabled={loading}
      onPress={onPress}
    />
  );
}

/** Choose one of a few options (list/map, language, video quality). */
export function Segmented<T extends string>({
  options,
  value,
  onChange,
  testID,
}: {
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (v: T) => void;
  testID?: string;
}) {
  const { styles, colors } = useTheme();
  return (
    <View style={[styles.row, { flexWrap: 'wrap' }]} accessibilityRole="radiogroup" testID={testID}>
      {options.map((o) => {
        const selected = o.value === value;
        return (
          <Pressable
            key={o.value}
            testID={testID ? `${testID}-${o.value}` : undefined}
            accessibilityRole="radio"
            accessibilityState={{ selected, checked: selected }}
            onPress={() => onChange(o.value)}
            style={[
              styles.button,
              selected ? styles.primary : styles.secondary,
              { flexGrow: 1, paddingHorizontal: space(3) },
            ]}
          >
            <Text style={[styles.buttonText, !selected && { color: colors.primary }]}>{o.label}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

export function ToggleRow({
  label,
  value,
  onChange,
  testID,
  disabled,
}: {
  label: string;
  value: boolean;
  onChange: (v: boolean) => void;
  testID?: string;
  disabled?: boolean;
}) {
  const { styles, colors } = useTheme();
  return (
    <View style={[styles.between, { minHeight: TOUCH }]}>
      <Text style={styles.text}>{label}</Text>
      <Switch
        testID={testID}
        accessibilityLabel={label}
        value={value}
        disabled={disabled}
        onValueChange={onChange}
        trackColor={{ true: colors.primary, false: colors.border }}
      />
    </View>
  );
}

/** A link-styled button (opens pages outside the app, or another screen). */
export function TextLink({ title, onPress, testID }: { title: string; onPress: () => void; testID?: string }) {
  const { styles } = useTheme();
  return (
    <Pressable testID={testID} accessibilityRole="link" onPress={onPress} hitSlop={8}>
      <Text style={styles.link}>{title}</Text>
    </Pressable>
  );
}
