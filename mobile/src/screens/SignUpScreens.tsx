import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useSafeAreaInsets } from 'react-native-safe-area-context';
import { useApp } from '../app-context';
import { sessionFromPayload } from '../auth/session';
import { CompleteSignUpDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, ErrorView, Field, Screen, TextLink } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';

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
  const { styles } = useTheme();
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
        <Field
          testID="sign-up-code"
          label={t('auth.code')}
          value={token}
          onChangeText={setToken}
          autoCapitalize="none"
          autoCorrect={false}
        />
      ) : null}
      {knownPassword === undefined ? (
        <Field
          testID="sign-up-password"
          label={t('auth.password')}
          value={password}
          onChangeText={setPassword}
          secureTextEntry
          autoComplete="new-password"
          textContentType="newPassword"
        />
      ) : null}
      {password.length > 0 && password.length < 8 ? (
        <Text style={styles.errorText}>{t('auth.shortPassword')}</Text>
      ) : null}
      {state.error ? <ErrorView error={state.error} /> : null}
      <Button
        testID="finish-sign-up"
        title={state.loading ? t('common.pleaseWait') : t('auth.finish')}
        disabled={state.loading || password.length < 8 || token.trim().length < 16}
        onPress={() => void submit()}
      />
    </View>
  );
}

/** Opened by the link in the sign-up email (`/verify-email?token=…`, `vegshare://verify-email?token=…`). */
export function CompleteSignUpScreen({ token }: { token: string }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const insets = useSafeAreaInsets();
  const nav = useNav();
  return (
    <View style={{ flex: 1, paddingTop: insets.top, paddingBottom: insets.bottom }}>
      <Screen title={t('auth.completeTitle')} testID="complete-sign-up-screen">
        <Card>
          <Text style={[styles.muted, { marginBottom: space(3) }]}>{t('auth.completeIntro')}</Text>
          <CompleteSignUpForm token={token} askToken={false} />
        </Card>
        <TextLink title={t('forgot.backToSignIn')} onPress={() => (nav.canGoBack ? nav.back() : nav.tab('explore'))} />
      </Screen>
    </View>
  );
}
