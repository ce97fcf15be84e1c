import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useApp } from '../app-context';
import { sessionFromPayload } from '../auth/session';
import { socialBrowser } from '../auth/social';
import type { AuthPayloadFieldsFragment, CompleteSocialSignInMutation, SocialProvider } from '../gql/graphql';
import {
  CompleteSocialSignInDocument,
  ConfirmSocialLinkDocument,
  ProveSocialLinkWithPasswordDocument,
  SendSocialLinkCodeDocument,
  SocialProvidersDocument,
  StartSocialSignInDocument,
} from '../graphql/operations';
import { useNav } from '../nav';
import type { SocialCallback } from '../nav/routes';
import { Button, Card, ErrorView, Loading, TextLink } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import {
  AccountPage,
  BackToSignIn,
  CodeField,
  EmailField,
  looksLikeEmail,
  PasswordField,
  SubmitButton,
} from './AccountForm';

type Outcome = CompleteSocialSignInMutation['completeSocialSignIn'];

/**
 * One completion per redirect: the state is single use on the server, and a screen mounted twice (React's strict
 * mode, Android delivering the redirect both to the browser session and as a link) must not spend it twice.
 */
const completions = new Map<string, Promise<Outcome | null>>();

/** Signs this device in with the tokens a social sign-in answered, as a password sign-in does. */
function useSignedIn(): (payload: AuthPayloadFieldsFragment) => Promise<void> {
  const { store, devices } = useApp();
  const nav = useNav();
  return async (payload) => {
    if (payload.user.email) await devices.remember(payload.user.email, payload.deviceToken).catch(() => undefined);
    // Leave the callback's URL behind: the signed-in app opens on Explore, not on a spent redirect.
    nav.tab('explore');
    await store.set(sessionFromPayload(payload));
  };
}

/** The sign-in screen's buttons: one per provider auth has configured (`socialProviders`), none when there are none. */
export function SocialSignInButtons() {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const nav = useNav();
  const { data } = useQuery(SocialProvidersDocument, { fetchPolicy: 'cache-and-network' });
  const [start, started] = useMutation(StartSocialSignInDocument);
  const [busy, setBusy] = useState<SocialProvider | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const providers = data?.socialProviders ?? [];
  if (providers.length === 0) return null;

  const signInWith = async (provider: SocialProvider) => {
    setBusy(provider);
    setCancelled(false);
    let leaving = false;
    try {
      const { data: begun } = await start({ variables: { provider, redirectUri: socialBrowser.redirectUri() } });
      if (!begun) return;
      const { authorizationUrl, state } = begun.startSocialSignIn;
      const result = await socialBrowser.open(authorizationUrl, { state, provider, startedAt: Date.now() });
      if (result.kind === 'returned') nav.openUrl(result.url);
      else if (result.kind === 'cancelled') setCancelled(true);
      else leaving = true;
    } catch {
      // shown from the mutation state
    } finally {
      if (!leaving) setBusy(null);
    }
  };

  return (
    <View testID="social-sign-in" style={{ marginTop: space(3), gap: space(2) }}>
      <Text style={[styles.muted, { textAlign: 'center' }]}>{t('social.or')}</Text>
      {providers.map((p) => (
        <Button
          key={p.provider}
          testID={`social-${p.provider.toLowerCase()}`}
          kind="secondary"
          title={busy === p.provider ? t('common.pleaseWait') : t('social.continueWith', { name: p.displayName })}
          disabled={busy !== null}
          onPress={() => void signInWith(p.provider)}
        />
      ))}
      {cancelled ? <Text style={styles.muted}>{t('social.cancelled')}</Text> : null}
      {started.error ? <ErrorView error={started.error} /> : null}
    </View>
  );
}

type Phase =
  | { readonly kind: 'completing' }
  | { readonly kind: 'failed'; readonly message: string | null; readonly error: unknown }
  | { readonly kind: 'linked' }
  /** The provider vouched for an email that has an account: prove the account first. */
  | { readonly kind: 'proof'; readonly ticket: string; readonly email: string }
  /** The provider did not vouch for an email: a code mailed to the address confirms it. */
  | { readonly kind: 'confirm'; readonly ticket: string; readonly email: string | null }
  | { readonly kind: 'codeSent'; readonly email: string };

/** Where the provider sends the browser back (`/auth/callback`, `vegshare://auth/callback`): finishes the sign-in. */
export function SocialCallbackScreen({ callback }: { callback: SocialCallback }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const signedIn = useSignedIn();
  const [complete] = useMutation(CompleteSocialSignInDocument);
  const [phase, setPhase] = useState<Phase>({ kind: 'completing' });
  const [provider, setProvider] = useState('');

  useEffect(() => {
    let live = true;
    const run = async () => {
      if (callback.error || !callback.code)
        return setPhase({ kind: 'failed', message: t('social.providerError'), error: null });
      let completion = completions.get(callback.state);
      if (!completion) {
        // Only a sign-in started on this device: else a crafted link could sign this device into someone else's account.
        const pending = socialBrowser.takePending(callback.state);
        if (!pending) return setPhase({ kind: 'failed', message: t('social.notStartedHere'), error: null });
        const { code, iss, deviceId, state } = callback;
        completion = complete({ variables: { input: { state, code, iss, deviceId } } }).then(
          ({ data }) => data?.completeSocialSignIn ?? null,
        );
        completions.set(callback.state, completion);
      }
      const outcome = await completion;
      if (!live || !outcome) return;
      setProvider(outcome.provider);
      switch (outcome.status) {
        case 'SIGNED_IN':
          if (outcome.auth) await signedIn(outcome.auth);
          return;
        case 'LINKED':
          return setPhase({ kind: 'linked' });
        case 'PROOF_REQUIRED':
          return setPhase({ kind: 'proof', ticket: outcome.ticket ?? '', email: outcome.email ?? '' });
        case 'EMAIL_CONFIRMATION_REQUIRED':
          return setPhase({ kind: 'confirm', ticket: outcome.ticket ?? '', email: outcome.email ?? null });
      }
    };
    run().catch((error: unknown) => live && setPhase({ kind: 'failed', message: null, error }));
    return () => {
      live = false;
    };
    // The redirect is handled once per state; the helpers' identity does not matter.
  }, [callback.state]);

  const name = provider ? t(`social.providers.${provider}`, { defaultValue: provider }) : '';
  return (
    <AccountPage title={t('social.title')} testID="social-callback-screen">
      <Card>
        {phase.kind === 'completing' ? <Loading label={t('social.completing')} /> : null}
        {phase.kind === 'failed' ? (
          <View testID="social-failed">
            {phase.message ? (
              <Text style={[styles.errorText, { marginBottom: space(2) }]}>{phase.message}</Text>
            ) : (
              <ErrorView error={phase.error} />
            )}
          </View>
        ) : null}
        {phase.kind === 'linked' ? <Text style={styles.text}>{t('social.linked', { provider: name })}</Text> : null}
        {phase.kind === 'proof' ? (
          <ProveAccount
            ticket={phase.ticket}
            email={phase.email}
            provider={name}
            onCodeSent={(email) => setPhase({ kind: 'codeSent', email })}
          />
        ) : null}
        {phase.kind === 'confirm' ? (
          <ConfirmEmail
            ticket={phase.ticket}
            email={phase.email}
            provider={name}
            onCodeSent={(email) => setPhase({ kind: 'codeSent', email })}
          />
        ) : null}
        {phase.kind === 'codeSent' ? <EnterCode email={phase.email} /> : null}
      </Card>
      {phase.kind !== 'completing' ? <BackToSignIn testID="social-back" /> : null}
    </AccountPage>
  );
}

/** An account has the provider's (verified) email: its password, or a code mailed to it, links the provider to it. */
function ProveAccount({
  ticket,
  email,
  provider,
  onCodeSent,
}: {
  ticket: string;
  email: string;
  provider: string;
  onCodeSent: (email: string) => void;
}) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const signedIn = useSignedIn();
  const [password, setPassword] = useState('');
  const [prove, proving] = useMutation(ProveSocialLinkWithPasswordDocument);
  const [send, sending] = useMutation(SendSocialLinkCodeDocument);
  const submit = async () => {
    try {
      const { data } = await prove({ variables: { ticket, password } });
      if (data) await signedIn(data.proveSocialLinkWithPassword);
    } catch {
      // shown from the mutation state
    }
  };
  const mailCode = async () => {
    try {
      const { data } = await send({ variables: { ticket } });
      if (data?.sendSocialLinkCode) onCodeSent(email);
    } catch {
      // shown from the mutation state
    }
  };
  return (
    <View testID="social-proof">
      <Text style={[styles.text, { marginBottom: space(3) }]}>{t('social.proofIntro', { email, provider })}</Text>
      <PasswordField
        testID="social-password"
        label={t('auth.password')}
        purpose="current"
        value={password}
        onChangeText={setPassword}
        onSubmitEditing={() => void submit()}
      />
      {proving.error ? <ErrorView error={proving.error} /> : null}
      <SubmitButton
        testID="social-prove"
        title={t('social.prove', { provider })}
        busy={proving.loading}
        ready={password.length > 0}
        onPress={() => void submit()}
      />
      {sending.error ? <ErrorView error={sending.error} /> : null}
      <TextLink testID="social-send-code" title={t('social.mailCodeInstead')} onPress={() => void mailCode()} />
    </View>
  );
}

/** The provider did not confirm an address: we mail a code to the one it gave (or one typed here). */
function ConfirmEmail({
  ticket,
  email: given,
  provider,
  onCodeSent,
}: {
  ticket: string;
  email: string | null;
  provider: string;
  onCodeSent: (email: string) => void;
}) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const [email, setEmail] = useState(given ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [send, sending] = useMutation(SendSocialLinkCodeDocument);
  const mailCode = async () => {
    setProblem(null);
    const address = email.trim();
    if (!looksLikeEmail(address)) return setProblem(t('auth.invalidEmail'));
    try {
      const { data } = await send({ variables: { ticket, email: address === given ? null : address } });
      if (data?.sendSocialLinkCode) onCodeSent(address);
    } catch {
      // shown from the mutation state
    }
  };
  return (
    <View testID="social-confirm">
      <Text style={[styles.text, { marginBottom: space(3) }]}>{t('social.confirmIntro', { provider })}</Text>
      <EmailField testID="social-email" value={email} onChangeText={setEmail} />
      {problem ? <Text style={[styles.errorText, { marginBottom: space(2) }]}>{problem}</Text> : null}
      {sending.error ? <ErrorView error={sending.error} /> : null}
      <SubmitButton
        testID="social-send-code"
        title={t('social.mailCode')}
        busy={sending.loading}
        onPress={() => void mailCode()}
      />
    </View>
  );
}

/** The mailed code, typed here (or its link opened on this device: LinkAccountScreen). */
function EnterCode({ email }: { email: string }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const [code, setCode] = useState('');
  return (
    <View testID="social-code-sent">
      <Text style={[styles.text, { marginBottom: space(3) }]}>{t('social.codeSent', { email })}</Text>
      <CodeField testID="social-code" label={t('auth.code')} value={code} onChangeText={setCode} />
      <ConfirmCodeButton code={code.trim()} />
    </View>
  );
}

function ConfirmCodeButton({ code }: { code: string }) {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const [confirm, confirming] = useMutation(ConfirmSocialLinkDocument);
  const submit = async () => {
    try {
      const { data } = await confirm({ variables: { code } });
      if (data) await signedIn(data.confirmSocialLink);
    } catch {
      // shown from the mutation state
    }
  };
  return (
    <>
      {confirming.error ? <ErrorView error={confirming.error} /> : null}
      <SubmitButton
        testID="social-confirm-code"
        title={t('social.confirmAndSignIn')}
        busy={confirming.loading}
        ready={code.length >= 16}
        onPress={() => void submit()}
      />
    </>
  );
}

/** Opened by the link in the confirmation mail (`/link-account?code=…`): one tap confirms and signs in. */
export function LinkAccountScreen({ code }: { code: string }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  return (
    <AccountPage title={t('social.title')} testID="link-account-screen">
      <Card>
        <Text style={[styles.text, { marginBottom: space(3) }]}>{t('social.linkIntro')}</Text>
        <ConfirmCodeButton code={code} />
      </Card>
      <BackToSignIn />
    </AccountPage>
  );
}
