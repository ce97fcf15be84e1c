import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Linking, Text, View } from 'react-native';
import { useSafeAreaInsets } from 'react-native-safe-area-context';
import { useApp } from '../app-context';
import { sessionFromPayload } from '../auth/session';
import { legalUrls } from '../config';
import { LoginDocument, RegisterDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, ErrorView, Field, Screen, Segmented, TextLink } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import { LanguagePicker } from './LanguagePicker';

export function AuthScreen() {
  const { store, rememberSignUpLanguage } = useApp();
  const nav = useNav();
  const { t } = useTranslation();
  const { styles, colors } = useTheme();
  const insets = useSafeAreaInsets();
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [login, loginState] = useMutation(LoginDocument);
  const [register, registerState] = useMutation(RegisterDocument);
  const busy = loginState.loading || registerState.loading;
  const error = mode === 'signIn' ? loginState.error : registerState.error;

  const submit = async () => {
    setProblem(null);
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) return setProblem(t('auth.invalidEmail'));
    if (password.length < 8) return setProblem(t('auth.shortPassword'));
    if (mode === 'signUp' && !displayName.trim()) return setProblem(t('auth.nameRequired'));
    try {
      if (mode === 'signIn') {
        const { data } = await login({ variables: { input: { email: email.trim(), password } } });
        if (data) await store.set(sessionFromPayload(data.login));
      } else {
        const { data } = await register({ variables: { input: { email: email.trim(), password, displayName: displayName.trim() } } });
        if (data) {
          rememberSignUpLanguage();
          await store.set(sessionFromPayload(data.register));
        }
      }
    } catch {
      // shown from the mutation state
    }
  };

  return (
    <View style={{ flex: 1, paddingTop: insets.top, paddingBottom: insets.bottom }}>
      <Screen testID="auth-screen">
        <View style={{ alignItems: 'center', marginVertical: space(6) }}>
          <Text accessibilityRole="header" style={{ fontSize: 34, fontWeight: '800', color: colors.primary }}>
            {t('common.appName')}
          </Text>
          <Text style={[styles.muted, { textAlign: 'center' }]}>{t('auth.tagline')}</Text>
        </View>
        <Card>
          <View style={{ marginBottom: space(3) }}>
            <Segmented testID="mode" value={mode} onChange={setMode} options={[{ value: 'signIn', label: t('auth.signIn') }, { value: 'signUp', label: t('auth.signUp') }]} />
          </View>
          {mode === 'signUp' ? <Field testID="display-name" label={t('auth.name')} value={displayName} onChangeText={setDisplayName} autoComplete="name" textContentType="name" /> : null}
          <Field testID="email" label={t('auth.email')} value={email} onChangeText={setEmail} autoCapitalize="none" keyboardType="email-address" autoComplete="email" textContentType="emailAddress" />
          <Field
            testID="password"
            label={t('auth.password')}
            value={password}
            onChangeText={setPassword}
            secureTextEntry
            autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
            textContentType={mode === 'signIn' ? 'password' : 'newPassword'}
            onSubmitEditing={() => void submit()}
          />
          {problem ? (
            <Text style={[styles.errorText, { marginBottom: space(2) }]} testID="form-problem">
              {problem}
            </Text>
          ) : null}
          {error ? <ErrorView error={error} /> : null}
          <Button testID="submit-auth" title={busy ? t('common.pleaseWait') : mode === 'signIn' ? t('auth.signIn') : t('auth.signUp')} disabled={busy} onPress={() => void submit()} />
          {mode === 'signIn' ? <TextLink testID="forgot-password" title={t('auth.forgot')} onPress={() => nav.push({ name: 'forgotPassword' })} /> : null}
        </Card>
        <Text style={[styles.muted, { marginTop: space(2) }]}>{t('auth.legal')}</Text>
        <View style={[styles.row, { flexWrap: 'wrap' }]}>
          <TextLink testID="terms-link" title={t('legal.terms')} onPress={() => void Linking.openURL(legalUrls.terms)} />
          <TextLink testID="privacy-link" title={t('legal.privacy')} onPress={() => void Linking.openURL(legalUrls.privacy)} />
        </View>
        <LanguagePicker />
      </Screen>
    </View>
  );
}
