import { useMutation } from '@apollo/client';
import { useState } from 'react';
import { Pressable, Text, View } from 'react-native';
import { sessionFromPayload } from '../auth/session';
import { LoginDocument, RegisterDocument } from '../graphql/operations';
import { useSession } from '../session-context';
import { Button, Card, ErrorView, Field, Screen, styles } from '../ui/components';
import { colors, space } from '../ui/theme';

export function AuthScreen() {
  const { store } = useSession();
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
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) return setProblem('Enter a valid email address.');
    if (password.length < 8) return setProblem('The password needs at least 8 characters.');
    if (mode === 'signUp' && !displayName.trim()) return setProblem('Tell us your name.');
    try {
      if (mode === 'signIn') {
        const { data } = await login({ variables: { input: { email: email.trim(), password } } });
        if (data) await store.set(sessionFromPayload(data.login));
      } else {
        const { data } = await register({ variables: { input: { email: email.trim(), password, displayName: displayName.trim() } } });
        if (data) await store.set(sessionFromPayload(data.register));
      }
    } catch {
      // shown from the mutation state
    }
  };

  return (
    <Screen testID="auth-screen">
      <View style={{ alignItems: 'center', marginVertical: space(6) }}>
        <Text style={{ fontSize: 34, fontWeight: '800', color: colors.primary }}>VegShare</Text>
        <Text style={styles.muted}>Rent a piece of a real farm. Watch it grow.</Text>
      </View>
      <Card>
        <View style={[styles.row, { marginBottom: space(4) }]} accessibilityRole="tablist">
          {(['signIn', 'signUp'] as const).map((m) => (
            <Pressable key={m} testID={`mode-${m}`} accessibilityRole="tab" accessibilityState={{ selected: mode === m }} onPress={() => setMode(m)} style={{ flex: 1 }}>
              <Text style={{ textAlign: 'center', fontWeight: '700', color: mode === m ? colors.primary : colors.muted, paddingBottom: space(2), borderBottomWidth: 2, borderColor: mode === m ? colors.primary : 'transparent' }}>
                {m === 'signIn' ? 'Sign in' : 'Create account'}
              </Text>
            </Pressable>
          ))}
        </View>
        {mode === 'signUp' ? <Field testID="display-name" label="Your name" value={displayName} onChangeText={setDisplayName} autoComplete="name" /> : null}
        <Field testID="email" label="Email" value={email} onChangeText={setEmail} autoCapitalize="none" keyboardType="email-address" autoComplete="email" />
        <Field testID="password" label="Password" value={password} onChangeText={setPassword} secureTextEntry autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'} onSubmitEditing={() => void submit()} />
        {problem ? <Text style={[styles.errorText, { marginBottom: space(2) }]} testID="form-problem">{problem}</Text> : null}
        {error ? <ErrorView error={error} /> : null}
        <Button testID="submit-auth" title={busy ? 'Please wait…' : mode === 'signIn' ? 'Sign in' : 'Create account'} disabled={busy} onPress={() => void submit()} />
      </Card>
    </Screen>
  );
}
