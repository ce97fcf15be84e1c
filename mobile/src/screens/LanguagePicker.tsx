import { useTranslation } from 'react-i18next';
import { View } from 'react-native';
import { useApp } from '../app-context';
import { LANGUAGES, languageOf, type Language } from '../i18n';
import { Segmented } from '../ui/components';
import { space } from '../ui/theme';

/** Switches the language at once; `onChange` also stores it in the profile when signed in. */
export function LanguagePicker({ onChange }: { onChange?: (language: Language) => void }) {
  const { setLanguage } = useApp();
  const { t, i18n } = useTranslation();
  const current = languageOf(i18n.language) ?? 'en';
  return (
    <View style={{ marginTop: space(3) }}>
      <Segmented
        testID="language"
        value={current}
        onChange={(language) => {
          setLanguage(language);
          onChange?.(language);
        }}
        options={LANGUAGES.map((l) => ({ value: l, label: t(`languages.${l}`) }))}
      />
    </View>
  );
}
