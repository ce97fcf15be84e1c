import { useQuery } from '@apollo/client/react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useFormat } from '../app-context';
import { MyRentalsDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Card, Empty, ErrorView, Loading, LoadMore, Pill, Screen } from '../ui/components';
import { useTheme } from '../ui/theme-context';
import { rentalTone } from './labels';

export function RentalsScreen() {
  const nav = useNav();
  const f = useFormat();
  const { t } = useTranslation();
  const { styles } = useTheme();
  const { data, loading, error, refetch, fetchMore } = useQuery(MyRentalsDocument, { variables: { first: 10 } });
  const rentals = data?.myRentals.edges ?? [];
  return (
    <Screen title={t('rentals.title')} testID="rentals-screen" onRefresh={() => refetch()}>
      {!data && loading ? <Loading /> : null}
      {error && !data ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {data && rentals.length === 0 ? <Empty text={t('rentals.none')} /> : null}
      {rentals.map(({ node: r }) => (
        <Card key={r.id} testID={`rental-${r.id}`} onPress={() => nav.push({ name: 'rental', rentalId: r.id })}>
          <View style={styles.between}>
            <Text style={[styles.strong, { flexShrink: 1 }]}>
              {r.plot.farm.name} · {r.plot.code}
            </Text>
            <Pill text={t(`enums.rentalStatus.${r.status}`)} tone={rentalTone(r.status)} />
          </View>
          <Text style={styles.muted}>
            {f.date(r.startsOn)} → {f.date(r.endsOn)} · {f.number(r.plot.areaM2, 0)} m²
          </Text>
        </Card>
      ))}
      <LoadMore
        hasMore={data?.myRentals.pageInfo.hasNextPage ?? false}
        loading={loading}
        onPress={() => void fetchMore({ variables: { after: data?.myRentals.pageInfo.endCursor } })}
      />
    </Screen>
  );
}
