import { useQuery } from '@apollo/client';
import { Text, View } from 'react-native';
import { shortDate } from '../dates';
import { MyRentalsDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Card, Empty, ErrorView, Loading, LoadMore, Pill, Screen, styles } from '../ui/components';
import { colors } from '../ui/theme';

export const rentalColor = (status: string): string =>
  status === 'ACTIVE' ? colors.primary : status === 'REQUESTED' ? colors.accent : colors.muted;

export function RentalsScreen() {
  const nav = useNav();
  const { data, loading, error, refetch, fetchMore } = useQuery(MyRentalsDocument, { variables: { first: 10 }, notifyOnNetworkStatusChange: true });
  const rentals = data?.myRentals.edges ?? [];
  return (
    <Screen title="My plots" testID="rentals-screen">
      {!data && loading ? <Loading /> : null}
      {error && !data ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {data && rentals.length === 0 ? <Empty text="You have not rented a plot yet. Explore the farms to find one." /> : null}
      {rentals.map(({ node: r }) => (
        <Card key={r.id} testID={`rental-${r.id}`} onPress={() => nav.push({ name: 'rental', rentalId: r.id })}>
          <View style={styles.between}>
            <Text style={styles.strong}>
              {r.plot.farm.name} · {r.plot.code}
            </Text>
            <Pill text={r.status} color={rentalColor(r.status)} />
          </View>
          <Text style={styles.muted}>
            {shortDate(r.startsOn)} → {shortDate(r.endsOn)} · {r.plot.areaM2} m²
          </Text>
        </Card>
      ))}
      <LoadMore hasMore={data?.myRentals.pageInfo.hasNextPage ?? false} loading={loading} onPress={() => void fetchMore({ variables: { after: data?.myRentals.pageInfo.endCursor } })} />
    </Screen>
  );
}
