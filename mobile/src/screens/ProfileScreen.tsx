import { useApolloClient, useMutation, useQuery } from '@apollo/client';
import { useEffect, useState } from 'react';
import { Text, View } from 'react-native';
import { CreateDeliveryAddressDocument, DeleteDeliveryAddressDocument, LogoutDocument, ProfileDocument, SetDefaultDeliveryAddressDocument, UpdateProfileDocument } from '../graphql/operations';
import { useSession } from '../session-context';
import { Button, Card, Empty, ErrorView, Field, Loading, Pill, Screen, Section, styles } from '../ui/components';
import { space } from '../ui/theme';

const blankAddress = { label: 'Home', recipientName: '', line1: '', postalCode: '', city: '', countryCode: 'FR' };

function AddressForm({ onDone }: { onDone: () => void }) {
  const [form, setForm] = useState(blankAddress);
  const [create, state] = useMutation(CreateDeliveryAddressDocument, { refetchQueries: [ProfileDocument], awaitRefetchQueries: true });
  const set = (key: keyof typeof blankAddress) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <Card testID="address-form">
      <Field label="Label" value={form.label} onChangeText={set('label')} />
      <Field testID="address-recipient" label="Recipient" value={form.recipientName} onChangeText={set('recipientName')} />
      <Field testID="address-line1" label="Street" value={form.line1} onChangeText={set('line1')} />
      <View style={styles.row}>
        <View style={{ flex: 1 }}>
          <Field testID="address-postal" label="Postal code" value={form.postalCode} onChangeText={set('postalCode')} />
        </View>
        <View style={{ flex: 2 }}>
          <Field testID="address-city" label="City" value={form.city} onChangeText={set('city')} />
        </View>
      </View>
      <Field label="Country (ISO code)" value={form.countryCode} onChangeText={set('countryCode')} autoCapitalize="characters" maxLength={2} />
      {state.error ? <ErrorView error={state.error} /> : null}
      <Button
        testID="save-address"
        title={state.loading ? 'Saving…' : 'Save address'}
        disabled={state.loading || !form.recipientName || !form.line1 || !form.city || !form.postalCode}
        onPress={() => void create({ variables: { input: form } }).then(onDone).catch(() => undefined)}
      />
    </Card>
  );
}

export function ProfileScreen() {
  const { store } = useSession();
  const client = useApolloClient();
  const { data, loading, error, refetch } = useQuery(ProfileDocument);
  const [displayName, setDisplayName] = useState('');
  const [phone, setPhone] = useState('');
  const [adding, setAdding] = useState(false);
  const [update, updateState] = useMutation(UpdateProfileDocument);
  const [remove] = useMutation(DeleteDeliveryAddressDocument, { refetchQueries: [ProfileDocument] });
  const [makeDefault] = useMutation(SetDefaultDeliveryAddressDocument, { refetchQueries: [ProfileDocument] });
  const [logout] = useMutation(LogoutDocument);
  const me = data?.me;
  useEffect(() => {
    if (me) {
      setDisplayName(me.displayName);
      setPhone(me.phone ?? '');
    }
  }, [me]);

  const signOut = async () => {
    await logout().catch(() => undefined);
    await client.clearStore().catch(() => undefined);
    await store.set(null);
  };

  if (!data && loading) return <Loading />;
  return (
    <Screen title="Profile" testID="profile-screen">
      {error && !me ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {me ? (
        <>
          <Card>
            <Text style={styles.strong}>{me.displayName}</Text>
            <Text style={styles.muted}>{me.email}</Text>
            <View style={[styles.row, { marginTop: space(2) }]}>
              {me.roles.map((r) => (
                <Pill key={r} text={r} />
              ))}
            </View>
          </Card>
          <Section title="Details">
            <Card>
              <Field testID="profile-name" label="Name" value={displayName} onChangeText={setDisplayName} />
              <Field label="Phone (+33…)" value={phone} onChangeText={setPhone} keyboardType="phone-pad" />
              {updateState.error ? <ErrorView error={updateState.error} /> : null}
              <Button
                testID="save-profile"
                title={updateState.loading ? 'Saving…' : updateState.data ? 'Saved ✓' : 'Save'}
                disabled={updateState.loading}
                onPress={() => void update({ variables: { input: { displayName, phone: phone || null } } }).catch(() => undefined)}
              />
            </Card>
          </Section>
          <Section title="Delivery addresses" testID="addresses">
            {(me.addresses ?? []).length === 0 && !adding ? <Empty text="Add an address to get your harvest delivered." /> : null}
            {(me.addresses ?? []).map((a) => (
              <Card key={a.id} testID={`address-${a.id}`}>
                <View style={styles.between}>
                  <Text style={styles.strong}>{a.label || 'Address'}</Text>
                  {a.isDefault ? <Pill text="DEFAULT" /> : null}
                </View>
                <Text style={styles.text}>
                  {a.recipientName}, {a.line1}
                  {a.line2 ? `, ${a.line2}` : ''}, {a.postalCode} {a.city}, {a.countryCode}
                </Text>
                <View style={styles.row}>
                  {!a.isDefault ? <Button title="Make default" kind="secondary" onPress={() => void makeDefault({ variables: { id: a.id } }).catch(() => undefined)} /> : null}
                  <Button title="Delete" kind="danger" onPress={() => void remove({ variables: { id: a.id } }).catch(() => undefined)} />
                </View>
              </Card>
            ))}
            {adding ? <AddressForm onDone={() => setAdding(false)} /> : <Button testID="add-address" title="Add an address" kind="secondary" onPress={() => setAdding(true)} />}
          </Section>
        </>
      ) : null}
      <View style={{ marginTop: space(6) }}>
        <Button testID="sign-out" title="Sign out" kind="danger" onPress={() => void signOut()} />
      </View>
    </Screen>
  );
}
