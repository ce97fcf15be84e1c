import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text } from 'react-native';
import { useApp } from '../app-context';
import { DeleteAccountDocument } from '../graphql/operations';
import { Button, Card, ErrorView, Screen } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import { PasswordField } from './AccountForm';

/** In-app account deletion (required by the App Store and Google Play): password confirmed, then gone for good. */
export function DeleteAccountScreen() {
  const { signOut } = useApp();
  const { t } = useTranslation();
  const { styles } = useTheme();
  const [password, setPassword] = useState('');
  const [remove, state] = useMutation(DeleteAccountDocument);
  const submit = async () => {
    try {
      const { data } = await remove({ variables: { password } });
      // The session no longer exists on the server: only local state is left to clear.
      if (data?.deleteAccount) await signOut({ serverSide: false });
    } catch {
      // shown from state.error
    }
  };
  return (
    <Screen title={t('deleteAccount.title')} testID="delete-account-screen">
      <Card>
        <Text style={[styles.text, { marginBottom: space(3) }]}>{t('deleteAccount.warning')}</Text>
        <PasswordField
          testID="delete-password"
          label={t('deleteAccount.password')}
          purpose="current"
          value={password}
          onChangeText={setPassword}
        />
        {state.error ? <ErrorView error={state.error} /> : null}
        <Button
          testID="confirm-delete"
          kind="danger"
          title={state.loading ? t('deleteAccount.deleting') : t('deleteAccount.confirm')}
          disabled={state.loading || password.length === 0}
          onPress={() => void submit()}
        />
      </Card>
    </Screen>
  );
}
