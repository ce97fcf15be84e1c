import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useSafeAreaInsets } from 'react-native-safe-area-context';
import { RequestPasswordResetDocument, ResetPasswordDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, ErrorView, Field, Screen, TextLink } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';

function NewPasswordForm({ token: initialToken, askToken }: { token: string; askToken: boolean }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const nav = useNav();
  const [token, setToken] = useState(initialToken);
  const [password, setPassword] = useState('');
  const [reset, state] = useMutation(ResetPasswordDocument);
  if (state.data?.resetPassword) {
    return (
      <Card testID="reset-done">
        <Text style={styles.text}>{t('forgot.done')}</Text>
        <Button testID="back-to-sign-in" title={t('forgot.backToSignIn')} onPress={() => nav.tab('explore')} />
      </Card>
    );
  }
  return (
    <Card testID="reset-form">
      {askToken ? (
        <Field
          testID="reset-code"
          label={t('forgot.code')}
          value={token}
          onChangeText={setToken}
          autoCapitalize="none"
          autoCorrect={false}
        />
      ) : null}
      <Field
        testID="new-password"
        label={t('forgot.newPassword')}
        value={password}
        onChangeText={setPassword}
        secureTextEntry
        autoComplete="new-password"
        textContentType="newPassword"
      />
      {state.error ? <ErrorView error={state.error} /> : null}
      {password.length > 0 && password.length < 8 ? (
        <Text style={styles.errorText}>{t('auth.shortPassword')}</Text>
      ) : null}
      <Button
        testID="submit-reset"
        title={state.loading ? t('common.pleaseWait') : t('forgot.submit')}
        disabled={state.loading || password.length < 8 || token.trim().length < 16}
        onPress={() =>
          void reset({ variables: { input: { token: token.trim(), newPassword: password } } }).catch(() => undefined)
        }
      />
    </Card>
  );
}

function Frame({ children, testID }: { children: React.ReactNode; testID: string }) {
  const insets = useSafeAreaInsets();
  const { t } = useTranslation();
  const nav = useNav();
  return (
    <View style={{ flex: 1, paddingTop: insets.top, paddingBottom: insets.bottom }}>
      <Screen title={t('forgot.title')} testID={testID}>
        {children}
        <TextLink title={t('forgot.backToSignIn')} onPress={() => (nav.canGoBack ? nav.back() : nav.tab('explore'))} />
      </Screen>
    </View>
  );
}

/** "Forgot password": the server emails a link (which opens ResetPasswordScreen) and a code to type here. */
export function ForgotPasswordScreen() {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const [email, setEmail] = useState('');
  const [request, state] = useMutation(RequestPasswordResetDocument);
  const sent = state.data?.requestPasswordReset === true;
  return (
    <Frame testID="forgot-screen">
      <Card>
        <Text style={[styles.muted, { marginBottom: space(3) }]}>{t('forgot.intro')}</Text>
        <Field
          testID="reset-email"
          label={t('auth.email')}
          value={email}
          onChangeText={setEmail}
          autoCapitalize="none"
          keyboardType="email-address"
          autoComplete="email"
        />
        {state.error ? <ErrorView error={state.error} /> : null}
        <Button
          testID="send-reset"
          title={state.loading ? t('common.pleaseWait') : t('forgot.send')}
          disabled={state.loading || !/^\S+@\S+\.\S+$/.test(email.trim())}
          onPress={() => void request({ variables: { email: email.trim() } }).catch(() => undefined)}
        />
        {sent ? (
          <Text testID="reset-sent" style={[styles.text, { marginTop: space(2) }]}>
            {t('forgot.sent', { email: email.trim() })}
          </Text>
        ) : null}
      </Card>
      {sent ? <NewPasswordForm token="" askToken /> : null}
    </Frame>
  );
}

/** Opened by the link in the reset email (`/reset-password?token=…`, `vegshare://reset-password?token=…`). */
export function ResetPasswordScreen({ token }: { token: string }) {
  return (
    <Frame testID="reset-screen">
      <NewPasswordForm token={token} askToken={false} />
    </Frame>
  );
}
