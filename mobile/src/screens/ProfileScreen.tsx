import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Linking, Text, View } from 'react-native';
import { useApp } from '../app-context';
import { legalUrls } from '../config';
import {
  CreateDeliveryAddressDocument,
  DeleteDeliveryAddressDocument,
  NotificationPreferencesDocument,
  ProfileDocument,
  SetDefaultDeliveryAddressDocument,
  UpdateNotificationPreferenceDocument,
  UpdateProfileDocument,
} from '../graphql/operations';
import { PROFILE_LOCALE } from '../i18n';
import { useNav } from '../nav';
import type { PushStatus } from '../push/lifecycle';
import {
  Button,
  Card,
  Empty,
  ErrorView,
  Field,
  Loading,
  Pill,
  Screen,
  Section,
  TextLink,
  ToggleRow,
} from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import { LanguagePicker } from './LanguagePicker';

function AddressForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const blank = {
    label: t('profile.labelHome'),
    recipientName: '',
    line1: '',
    postalCode: '',
    city: '',
    countryCode: 'RU',
  };
  const [form, setForm] = useState(blank);
  const [create, state] = useMutation(CreateDeliveryAddressDocument, {
    refetchQueries: [ProfileDocument],
    awaitRefetchQueries: true,
  });
  const set = (key: keyof typeof blank) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <Card testID="address-form">
      <Field label={t('profile.label')} value={form.label} onChangeText={set('label')} />
      <Field
        testID="address-recipient"
        label={t('profile.recipient')}
        value={form.recipientName}
        onChangeText={set('recipientName')}
        autoComplete="name"
      />
      <Field
        testID="address-line1"
        label={t('profile.street')}
        value={form.line1}
        onChangeText={set('line1')}
        autoComplete="street-address"
      />
      <View style={styles.row}>
        <View style={{ flex: 1 }}>
          <Field
            testID="address-postal"
            label={t('profile.postal')}
            value={form.postalCode}
            onChangeText={set('postalCode')}
            autoComplete="postal-code"
          />
        </View>
        <View style={{ flex: 2 }}>
          <Field testID="address-city" label={t('profile.city')} value={form.city} onChangeText={set('city')} />
        </View>
      </View>
      <Field
        label={t('profile.country')}
        value={form.countryCode}
        onChangeText={set('countryCode')}
        autoCapitalize="characters"
        maxLength={2}
      />
      {state.error ? <ErrorView error={state.error} /> : null}
      <Button
        testID="save-address"
        title={state.loading ? t('common.saving') : t('profile.saveAddress')}
        disabled={state.loading || !form.recipientName || !form.line1 || !form.city || !form.postalCode}
        onPress={() =>
          void create({ variables: { input: form } })
            .then(onDone)
            .catch(() => undefined)
        }
      />
    </Card>
  );
}

/** Push on this device, then the channels per kind of notification. */
function NotificationSettings() {
  const { push } = useApp();
  const { t } = useTranslation();
  const { styles } = useTheme();
  const [status, setStatus] = useState<PushStatus>(push.status);
  const prefs = useQuery(NotificationPreferencesDocument);
  const [update] = useMutation(UpdateNotificationPreferenceDocument);
  const list = prefs.data?.me?.notificationPreferences ?? [];
  const set = (kind: string, channel: 'push' | 'inApp' | 'email', value: boolean) => {
    const current = list.find((p) => p.kind === kind);
    if (!current) return;
    void update({
      variables: { input: { kind, [channel]: value } },
      optimisticResponse: { updateNotificationPreference: { ...current, [channel]: value } },
      refetchQueries: [NotificationPreferencesDocument],
    }).catch(() => undefined);
  };
  useEffect(() => setStatus(push.status), [push]);
  return (
    <Section title={t('profile.notifications')} testID="notification-settings">
      <Card>
        <Text style={[styles.text, { marginBottom: space(2) }]} testID="push-status">
          {status === 'on'
            ? t('profile.pushOn')
            : status === 'denied'
              ? t('profile.pushDenied')
              : status === 'unsupported'
                ? t('profile.pushUnavailable')
                : t('profile.pushOff')}
        </Text>
        {status === 'off' ? (
          <Button
            testID="enable-push"
            title={t('profile.pushEnable')}
            onPress={() =>
              void push
                .enable()
                .then(setStatus)
                .catch(() => undefined)
            }
          />
        ) : null}
      </Card>
      {list.map((p) => (
        <Card key={p.kind} testID={`pref-${p.kind}`}>
          <Text style={styles.strong}>{t(`kinds.${p.kind}`, { defaultValue: p.kind })}</Text>
          <ToggleRow label={t('profile.channelInApp')} value={p.inApp} onChange={(v) => set(p.kind, 'inApp', v)} />
          <ToggleRow label={t('profile.channelPush')} value={p.push} onChange={(v) => set(p.kind, 'push', v)} />
          <ToggleRow label={t('profile.channelEmail')} value={p.email} onChange={(v) => set(p.kind, 'email', v)} />
        </Card>
      ))}
    </Section>
  );
}

export function ProfileScreen() {
  const { signOut } = useApp();
  const nav = useNav();
  const { t } = useTranslation();
  const { styles } = useTheme();
  const { data, loading, error, refetch } = useQuery(ProfileDocument);
  const [displayName, setDisplayName] = useState('');
  const [phone, setPhone] = useState('');
  const [adding, setAdding] = useState(false);
  const [update, updateState] = useMutation(UpdateProfileDocument);
  const [remove] = useMutation(DeleteDeliveryAddressDocument, { refetchQueries: [ProfileDocument] });
  const [makeDefault] = useMutation(SetDefaultDeliveryAddressDocument, { refetchQueries: [ProfileDocument] });
  const me = data?.me;
  useEffect(() => {
    if (me) {
      setDisplayName(me.displayName);
      setPhone(me.phone ?? '');
    }
  }, [me]);

  if (!data && loading) return <Loading />;
  return (
    <Screen title={t('profile.title')} testID="profile-screen" onRefresh={() => refetch()}>
      {error && !me ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {me ? (
        <>
          <Card>
            <Text style={styles.strong}>{me.displayName}</Text>
            <Text style={styles.muted}>{me.email}</Text>
            <View style={[styles.row, { marginTop: space(2) }]}>
              {me.roles.map((r) => (
                <Pill key={r} text={t(`enums.role.${r}`)} />
              ))}
            </View>
          </Card>
          <Section title={t('profile.language')} testID="language-section">
            <LanguagePicker
              onChange={(language) =>
                void update({ variables: { input: { locale: PROFILE_LOCALE[language] } } }).catch(() => undefined)
              }
            />
          </Section>
          <Section title={t('profile.details')}>
            <Card>
              <Field
                testID="profile-name"
                label={t('profile.name')}
                value={displayName}
                onChangeText={setDisplayName}
                autoComplete="name"
              />
              <Field
                label={t('profile.phone')}
                value={phone}
                onChangeText={setPhone}
                keyboardType="phone-pad"
                autoComplete="tel"
              />
              {updateState.error ? <ErrorView error={updateState.error} /> : null}
              <Button
                testID="save-profile"
                title={
                  updateState.loading ? t('common.saving') : updateState.data ? t('common.saved') : t('common.save')
                }
                disabled={updateState.loading}
                onPress={() =>
                  void update({ variables: { input: { displayName, phone: phone || null } } }).catch(() => undefined)
                }
              />
            </Card>
          </Section>
          <Section title={t('profile.addresses')} testID="addresses">
            {(me.addresses ?? []).length === 0 && !adding ? <Empty text={t('profile.noAddress')} /> : null}
            {(me.addresses ?? []).map((a) => (
              <Card key={a.id} testID={`address-${a.id}`}>
                <View style={styles.between}>
                  <Text style={styles.strong}>{a.label || t('profile.address')}</Text>
                  {a.isDefault ? <Pill text={t('profile.defaultAddress')} /> : null}
                </View>
                <Text style={styles.text}>
                  {a.recipientName}, {a.line1}
                  {a.line2 ? `, ${a.line2}` : ''}, {a.postalCode} {a.city}, {a.countryCode}
                </Text>
                <View style={[styles.row, { flexWrap: 'wrap' }]}>
                  {!a.isDefault ? (
                    <Button
                      title={t('profile.makeDefault')}
                      kind="secondary"
                      onPress={() => void makeDefault({ variables: { id: a.id } }).catch(() => undefined)}
                    />
                  ) : null}
                  <Button
                    title={t('common.delete')}
                    kind="danger"
                    onPress={() => void remove({ variables: { id: a.id } }).catch(() => undefined)}
                  />
                </View>
              </Card>
            ))}
            {adding ? (
              <AddressForm onDone={() => setAdding(false)} />
            ) : (
              <Button
                testID="add-address"
                title={t('profile.addAddress')}
                kind="secondary"
                onPress={() => setAdding(true)}
              />
            )}
          </Section>
          <NotificationSettings />
        </>
      ) : null}
      <Section title={t('profile.legal')}>
        <TextLink
          testID="privacy-link"
          title={t('legal.privacy')}
          onPress={() => void Linking.openURL(legalUrls.privacy)}
        />
        <TextLink testID="terms-link" title={t('legal.terms')} onPress={() => void Linking.openURL(legalUrls.terms)} />
      </Section>
      <View style={{ marginTop: space(6) }}>
        <Button testID="sign-out" title={t('profile.signOut')} kind="secondary" onPress={() => void signOut()} />
        <Button
          testID="delete-account"
          title={t('profile.deleteAccount')}
          kind="danger"
          onPress={() => nav.push({ name: 'deleteAccount' })}
        />
      </View>
    </Screen>
  );
}
