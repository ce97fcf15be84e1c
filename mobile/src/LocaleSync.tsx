import { useQuery } from '@apollo/client/react';
import { useEffect } from 'react';
import { useApp } from './app-context';
import { ProfileDocument } from './graphql/operations';
import { languageOf } from './i18n';

/** Shows the app in the language of the user's profile (`locale`), whenever it is known or changes. */
export function LocaleSync() {
  const { setLanguage } = useApp();
  const { data } = useQuery(ProfileDocument, { fetchPolicy: 'cache-first' });
  const language = languageOf(data?.me?.locale);
  useEffect(() => {
    if (language) setLanguage(language);
  }, [language, setLanguage]);
  return null;
}
