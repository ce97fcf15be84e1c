import { useQuery } from '@apollo/client';
import { useState } from 'react';
import { Pressable, Text, View } from 'react-native';
import type { FarmsMapQuery } from '../gql/graphql';
import { AvailablePlotsDocument, FarmsMapDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, Empty, ErrorView, Loading, LoadMore, Pill, Screen, money, styles } from '../ui/components';
import { colors, space } from '../ui/theme';

const PAGE = 10;

function PlotList({ farmId }: { farmId: string | null }) {
  const nav = useNav();
  const filter = farmId ? { farmId } : null;
  const { data, loading, error, refetch, fetchMore } = useQuery(AvailablePlotsDocument, { variables: { filter, first: PAGE }, notifyOnNetworkStatusChange: true });
  const plots = data?.availablePlots.edges ?? [];
  if (!data && loading) return <Loading label="Finding plots…" />;
  if (error && !data) return <ErrorView error={error} onRetry={() => void refetch()} />;
  if (plots.length === 0) return <Empty text="No plots are free right now. Check again soon!" />;
  return (
    <View testID="plot-list">
      {plots.map(({ node: plot, distanceKm }) => (
        <Card key={plot.id} testID={`plot-${plot.id}`} onPress={() => nav.push({ name: 'plot', plotId: plot.id })}>
          <View style={styles.between}>
            <Text style={styles.strong}>
              {plot.farm.name} · {plot.code}
            </Text>
            <Text style={[styles.strong, { color: colors.primary }]}>{money(plot.pricePerSeasonCents, plot.currency)}</Text>
          </View>
          <Text style={styles.muted}>
            {plot.areaM2} m² · {plot.soil} · {plot.sunExposure.replace('_', ' ').toLowerCase()}
            {distanceKm != null ? ` · ${distanceKm.toFixed(1)} km` : ''}
          </Text>
          <Text style={styles.muted}>{plot.farm.locality}</Text>
        </Card>
      ))}
      <LoadMore
        hasMore={data?.availablePlots.pageInfo.hasNextPage ?? false}
        loading={loading}
        onPress={() => void fetchMore({ variables: { after: data?.availablePlots.pageInfo.endCursor } })}
      />
    </View>
  );
}

type MapFarm = FarmsMapQuery['farms']['edges'][number]['node'];

/** A map-like view: farms placed by their coordinates inside the bounding box of all farms (no tiles, no network). */
function FarmMap({ farms, selected, onSelect }: { farms: MapFarm[]; selected: string | null; onSelect: (id: string | null) => void }) {
  const lats = farms.map((f) => f.location.latitude);
  const lngs = farms.map((f) => f.location.longitude);
  const [minLat, maxLat, minLng, maxLng] = [Math.min(...lats), Math.max(...lats), Math.min(...lngs), Math.max(...lngs)];
  const spanLat = Math.max(maxLat - minLat, 0.01);
  const spanLng = Math.max(maxLng - minLng, 0.01);
  return (
    <View testID="farm-map" style={{ height: 260, borderRadius: 12, backgroundColor: '#dfe9d3', borderWidth: 1, borderColor: colors.border, overflow: 'hidden', marginBottom: space(3) }}>
      {[0.25, 0.5, 0.75].map((p) => (
        <View key={`h${p}`} style={{ position: 'absolute', left: 0, right: 0, top: `${p * 100}%`, height: 1, backgroundColor: '#c8d6b9' }} />
      ))}
      {[0.25, 0.5, 0.75].map((p) => (
        <View key={`v${p}`} style={{ position: 'absolute', top: 0, bottom: 0, left: `${p * 100}%`, width: 1, backgroundColor: '#c8d6b9' }} />
      ))}
      {farms.map((f) => {
        // A dot at the farm's position with its label to the right; positions stay inside the box.
        const x = 4 + ((f.location.longitude - minLng) / spanLng) * 60;
        const y = 8 + ((maxLat - f.location.latitude) / spanLat) * 72;
        const free = f.plots.filter((p) => p.status === 'AVAILABLE').length;
        const active = selected === f.id;
        return (
          <Pressable
            key={f.id}
            testID={`pin-${f.id}`}
            accessibilityRole="button"
            accessibilityLabel={`${f.name}, ${free} free plots`}
            onPress={() => onSelect(active ? null : f.id)}
            style={{ position: 'absolute', left: `${x}%`, top: `${y}%`, flexDirection: 'row', alignItems: 'center', gap: 4 }}
          >
            <View style={{ width: 14, height: 14, borderRadius: 7, borderWidth: 2, borderColor: '#fff', backgroundColor: active ? colors.accent : colors.primary }} />
            <View style={{ backgroundColor: active ? colors.accent : colors.primary, borderRadius: 6, paddingHorizontal: 6, paddingVertical: 2 }}>
              <Text numberOfLines={1} style={{ color: '#fff', fontWeight: '700', fontSize: 12 }}>
                {f.name} · {free} free
              </Text>
            </View>
          </Pressable>
        );
      })}
    </View>
  );
}

export function ExploreScreen() {
  const [view, setView] = useState<'list' | 'map'>('list');
  const [farmId, setFarmId] = useState<string | null>(null);
  const farms = useQuery(FarmsMapDocument, { variables: { first: 50 }, skip: view !== 'map' });
  return (
    <Screen title="Find a plot" testID="explore-screen">
      <View style={[styles.row, { marginBottom: space(3) }]}>
        <Button testID="view-list" title="List" kind={view === 'list' ? 'primary' : 'secondary'} onPress={() => setView('list')} style={{ flex: 1 }} />
        <Button testID="view-map" title="Map" kind={view === 'map' ? 'primary' : 'secondary'} onPress={() => setView('map')} style={{ flex: 1 }} />
      </View>
      {view === 'map' ? (
        farms.loading && !farms.data ? (
          <Loading label="Loading farms…" />
        ) : farms.error && !farms.data ? (
          <ErrorView error={farms.error} onRetry={() => void farms.refetch()} />
        ) : (farms.data?.farms.edges.length ?? 0) === 0 ? (
          <Empty text="No partner farms yet." />
        ) : (
          <>
            <FarmMap farms={farms.data!.farms.edges.map((e) => e.node)} selected={farmId} onSelect={setFarmId} />
            {farmId ? <Pill text="Showing one farm — tap its pin again for all" /> : <Text style={styles.muted}>Tap a farm to see its free plots.</Text>}
          </>
        )
      ) : null}
      <View style={{ marginTop: space(3) }}>
        <PlotList farmId={view === 'map' ? farmId : null} />
      </View>
    </Screen>
  );
}
