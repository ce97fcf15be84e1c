import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text } from 'react-native';
import { RequestPasswordResetDocument, ResetPasswordDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, ErrorView } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import {
  AccountPage,
  BackToSignIn,
  CodeField,
  EmailField,
  looksLikeEmail,
  passwordLongEnough,
  PasswordField,
  ShortPasswordHint,
  SubmitButton,
} from './AccountForm';

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
        <CodeField testID="reset-code" label={t('forgot.code')} value={token} onChangeText={setToken} />
      ) : null}
      <PasswordField
        testID="new-password"
        label={t('forgot.newPassword')}
        purpose="new"
        value={password}
        onChangeText={setPassword}
      />
      {state.error ? <ErrorView error={state.error} /> : null}
      <ShortPasswordHint password={password} />
      <SubmitButton
        testID="submit-reset"
        title={t('forgot.submit')}
        busy={state.loading}
        ready={passwordLongEnough(password) && token.trim().length >= 16}
        onPress={() =>
          void reset({ variables: { input: { token: token.trim(), newPassword: password } } }).catch(() => undefined)
        }
      />
    </Card>
  );
}

function Frame({ children, testID }: { children: React.ReactNode; testID: string }) {
  const { t } = useTranslation();
  return (
    <AccountPage title={t('forgot.title')} testID={testID}>
      {children}
      <BackToSignIn history />
    </AccountPage>
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
        <EmailField testID="reset-email" value={email} onChangeText={setEmail} />
        {state.error ? <ErrorView error={state.error} /> : null}
        <SubmitButton
          testID="send-reset"
          title={t('forgot.send')}
          busy={state.loading}
          ready={looksLikeEmail(email)}
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
