import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Linking, Text, View } from 'react-native';
import { useApp } from '../app-context';
import { sessionFromPayload } from '../auth/session';
import { legalUrls } from '../config';
import { LoginDocument, SignUpDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Card, ErrorView, Field, Segmented, TextLink } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import {
  AccountPage,
  EmailField,
  looksLikeEmail,
  passwordLongEnough,
  PasswordField,
  SubmitButton,
} from './AccountForm';
import { LanguagePicker } from './LanguagePicker';
import { CompleteSignUpForm } from './SignUpScreens';
import { SocialSignInButtons } from './SocialScreens';

export function AuthScreen() {
  const { store, devices } = useApp();
  const nav = useNav();
  const { t } = useTranslation();
  const { styles, colors } = useTheme();
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [login, loginState] = useMutation(LoginDocument);
  const [signUp, signUpState] = useMutation(SignUpDocument);
  // After signUp: the address the code went to (the form then asks for the code).
  const [codeSentTo, setCodeSentTo] = useState<string | null>(null);
  const busy = loginState.loading || signUpState.loading;
  const error = mode === 'signIn' ? loginState.error : signUpState.error;

  const submit = async () => {
    setProblem(null);
    if (!looksLikeEmail(email)) return setProblem(t('auth.invalidEmail'));
    if (!passwordLongEnough(password)) return setProblem(t('auth.shortPassword'));
    if (mode === 'signUp' && !displayName.trim()) return setProblem(t('auth.nameRequired'));
    try {
      if (mode === 'signIn') {
        // A device that signed in to this account before passes the account's back-off after failures elsewhere.
        const deviceToken = await devices.get(email).catch(() => undefined);
        const { data } = await login({
          variables: { input: { email: email.trim(), password, ...(deviceToken ? { deviceToken } : {}) } },
        });
        if (data) {
          await devices.remember(email, data.login.deviceToken).catch(() => undefined);
          await store.set(sessionFromPayload(data.login));
        }
      } else {
        // The answer is the same whether or not the email has an account: a code is on its way either way.
        const { data } = await signUp({
          variables: { input: { email: email.trim(), password, displayName: displayName.trim() } },
        });
        if (data) setCodeSentTo(data.signUp.email);
      }
    } catch {
      // shown from the mutation state
    }
  };

  return (
    <AccountPage testID="auth-screen">
      <View style={{ alignItems: 'center', marginVertical: space(6) }}>
        <Text accessibilityRole="header" style={{ fontSize: 34, fontWeight: '800', color: colors.primary }}>
          {t('common.appName')}
        </Text>
        <Text style={[styles.muted, { textAlign: 'center' }]}>{t('auth.tagline')}</Text>
      </View>
      <Card>
        <View style={{ marginBottom: space(3) }}>
          <Segmented
            testID="mode"
            value={mode}
            onChange={setMode}
            options={[
              { value: 'signIn', label: t('auth.signIn') },
              { value: 'signUp', label: t('auth.signUp') },
            ]}
          />
        </View>
        {mode === 'signUp' && codeSentTo !== null ? (
          <>
            <Text testID="sign-up-code-sent" style={[styles.text, { marginBottom: space(3) }]}>
              {t('auth.codeSent', { email: codeSentTo })}
            </Text>
            <CompleteSignUpForm token="" askToken password={password} />
            <TextLink testID="sign-up-start-over" title={t('auth.startOver')} onPress={() => setCodeSentTo(null)} />
          </>
        ) : (
          <>
            {mode === 'signUp' ? (
              <Field
                testID="display-name"
                label={t('auth.name')}
                value={displayName}
                onChangeText={setDisplayName}
                autoComplete="name"
                textContentType="name"
              />
            ) : null}
            <EmailField testID="email" value={email} onChangeText={setEmail} />
            <PasswordField
              testID="password"
              label={t('auth.password')}
              purpose={mode === 'signIn' ? 'current' : 'new'}
              value={password}
              onChangeText={setPassword}
              onSubmitEditing={() => void submit()}
            />
            {problem ? (
              <Text style={[styles.errorText, { marginBottom: space(2) }]} testID="form-problem">
                {problem}
              </Text>
            ) : null}
            {error ? <ErrorView error={error} /> : null}
            <SubmitButton
              testID="submit-auth"
              title={mode === 'signIn' ? t('auth.signIn') : t('auth.signUp')}
              busy={busy}
              onPress={() => void submit()}
            />
            {mode === 'signIn' ? (
              <TextLink
                testID="forgot-password"
                title={t('auth.forgot')}
                onPress={() => nav.push({ name: 'forgotPassword' })}
              />
            ) : null}
            <SocialSignInButtons />
          </>
        )}
      </Card>
      <Text style={[styles.muted, { marginTop: space(2) }]}>{t('auth.legal')}</Text>
      <View style={[styles.row, { flexWrap: 'wrap' }]}>
        <TextLink testID="terms-link" title={t('legal.terms')} onPress={() => void Linking.openURL(legalUrls.terms)} />
        <TextLink
          testID="privacy-link"
          title={t('legal.privacy')}
          onPress={() => void Linking.openURL(legalUrls.privacy)}
        />
      </View>
      <LanguagePicker />
    </AccountPage>
  );
}
