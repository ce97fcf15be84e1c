import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useApp } from '../app-context';
import { sessionFromPayload } from '../auth/session';
import { CompleteSignUpDocument } from '../graphql/operations';
import { Card, ErrorView } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import {
  AccountPage,
  BackToSignIn,
  CodeField,
  passwordLongEnough,
  PasswordField,
  ShortPasswordHint,
  SubmitButton,
} from './AccountForm';

/**
 * The second step of sign-up: the code auth emailed (typed here, or carried by the email's link) and the password
 * complete the account and sign this device in. `password` is the one typed in the sign-up form, when there was one.
 */
export function CompleteSignUpForm({
  token: initialToken,
  askToken,
  password: knownPassword,
}: {
  token: string;
  askToken: boolean;
  password?: string;
}) {
  const { t } = useTranslation();
  const { store, devices, rememberSignUpLanguage } = useApp();
  const [token, setToken] = useState(initialToken);
  const [password, setPassword] = useState(knownPassword ?? '');
  const [complete, state] = useMutation(CompleteSignUpDocument);

  const submit = async () => {
    try {
      const { data } = await complete({ variables: { input: { token: token.trim(), password } } });
      if (!data) return;
      const payload = data.completeSignUp;
      if (payload.user.email) await devices.remember(payload.user.email, payload.deviceToken).catch(() => undefined);
      rememberSignUpLanguage();
      await store.set(sessionFromPayload(payload));
    } catch {
      // shown from the mutation state
    }
  };

  return (
    <View testID="complete-sign-up">
      {askToken ? (
        <CodeField testID="sign-up-code" label={t('auth.code')} value={token} onChangeText={setToken} />
      ) : null}
      {knownPassword === undefined ? (
        <PasswordField
          testID="sign-up-password"
          label={t('auth.password')}
          purpose="new"
          value={password}
          onChangeText={setPassword}
        />
      ) : null}
      <ShortPasswordHint password={password} />
      {state.error ? <ErrorView error={state.error} /> : null}
      <SubmitButton
        testID="finish-sign-up"
        title={t('auth.finish')}
        busy={state.loading}
        ready={passwordLongEnough(password) && token.trim().length >= 16}
        onPress={() => void submit()}
      />
    </View>
  );
}

/** Opened by the link in the sign-up email (`/verify-email?token=…`, `vegshare://verify-email?token=…`). */
export function CompleteSignUpScreen({ token }: { token: string }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  return (
    <AccountPage title={t('auth.completeTitle')} testID="complete-sign-up-screen">
      <Card>
        <Text style={[styles.muted, { marginBottom: space(3) }]}>{t('auth.completeIntro')}</Text>
        <CompleteSignUpForm token={token} askToken={false} />
      </Card>
      <BackToSignIn history />
    </AccountPage>
  );
}
