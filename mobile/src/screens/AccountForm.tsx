// The pieces every account form is made of — sign-in and sign-up, password reset, social sign-in's proof and
// confirmation, account deletion — so an email, code or password field, the submit button and the page around them
// look and behave the same everywhere.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View, type TextInputProps } from 'react-native';
import { useSafeAreaInsets } from 'react-native-safe-area-context';
import { useNav } from '../nav';
import { Button, Field, Screen, TextLink } from '../ui/components';
import { useTheme } from '../ui/theme-context';

/** Shorter passwords are refused by auth; the forms say so before sending. */
const MIN_PASSWORD = 8;

/** Whether `text` (trimmed) is worth sending as an email address. */
export const looksLikeEmail = (text: string): boolean => /^\S+@\S+\.\S+$/.test(text.trim());

export const passwordLongEnough = (password: string): boolean => password.length >= MIN_PASSWORD;

/** A page of its own outside the tabs (opened by a link, or by the sign-in screen): the safe area around a Screen. */
export function AccountPage({ title, testID, children }: { title?: string; testID: string; children: ReactNode }) {
  const insets = useSafeAreaInsets();
  return (
    <View style={{ flex: 1, paddingTop: insets.top, paddingBottom: insets.bottom }}>
      <Screen title={title} testID={testID}>
        {children}
      </Screen>
    </View>
  );
}

/** Back to the sign-in screen: to the page before when there is one (`history`), else to Explore. */
export function BackToSignIn({ testID, history = false }: { testID?: string; history?: boolean }) {
  const { t } = useTranslation();
  const nav = useNav();
  const back = () => (history && nav.canGoBack ? nav.back() : nav.tab('explore'));
  return <TextLink testID={testID} title={t('forgot.backToSignIn')} onPress={back} />;
}

type FieldProps = TextInputProps & { readonly testID: string };

/** An email address (labelled "Email" unless `label` says otherwise). */
export function EmailField({ label, ...props }: FieldProps & { label?: string }) {
  const { t } = useTranslation();
  return (
    <Field
      label={label ?? t('auth.email')}
      autoCapitalize="none"
      keyboardType="email-address"
      autoComplete="email"
      textContentType="emailAddress"
      {...props}
    />
  );
}

/** A code mailed to the user, typed as it is. */
export function CodeField(props: FieldProps & { label: string }) {
  return <Field autoCapitalize="none" autoCorrect={false} {...props} />;
}

/** The account's password (`current`), or one being chosen (`new`): what password managers fill or offer. */
export function PasswordField({ purpose, ...props }: FieldProps & { label: string; purpose: 'current' | 'new' }) {
  return (
    <Field
      secureTextEntry
      autoComplete={purpose === 'new' ? 'new-password' : 'current-password'}
      textContentType={purpose === 'new' ? 'newPassword' : 'password'}
      {...props}
    />
  );
}

/** Said while a new password is being typed and is still too short. */
export function ShortPasswordHint({ password }: { password: string }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  if (password.length === 0 || passwordLongEnough(password)) return null;
  return <Text style={styles.errorText}>{t('auth.shortPassword')}</Text>;
}

/** The form's button: "Please wait" and disabled while `busy`, disabled until the form is `ready`. */
export function SubmitButton({
  testID,
  title,
  busy,
  ready = true,
  onPress,
}: {
  testID: string;
  title: string;
  busy: boolean;
  ready?: boolean;
  onPress: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Button testID={testID} title={busy ? t('common.pleaseWait') : title} disabled={busy || !ready} onPress={onPress} />
  );
}
