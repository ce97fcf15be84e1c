import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';
import { useFormat } from '../app-context';
import type { FarmsMapQuery } from '../gql/graphql';
import { AvailablePlotsDocument, FarmsMapDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Card, Empty, ErrorView, Loading, LoadMore, Pill, Screen, Segmented } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';

const PAGE = 10;

function usePlots(farmId: string | null) {
  const filter = farmId ? { farmId } : null;
  return useQuery(AvailablePlotsDocument, { variables: { filter, first: PAGE } });
}

function PlotList({ plots }: { plots: ReturnType<typeof usePlots> }) {
  const nav = useNav();
  const f = useFormat();
  const { t } = useTranslation();
  const { styles, colors } = useTheme();
  const { data, loading, error, refetch, fetchMore } = plots;
  const edges = data?.availablePlots.edges ?? [];
  if (!data && loading) return <Loading label={t('explore.finding')} />;
  if (error && !data) return <ErrorView error={error} onRetry={() => void refetch()} />;
  if (edges.length === 0) return <Empty text={t('explore.none')} />;
  return (
    <View testID="plot-list">
      {edges.map(({ node: plot, distanceKm }) => (
        <Card key={plot.id} testID={`plot-${plot.id}`} onPress={() => nav.push({ name: 'plot', plotId: plot.id })}>
          <View style={styles.between}>
            <Text style={[styles.strong, { flexShrink: 1 }]}>
              {plot.farm.name} · {plot.code}
            </Text>
            <Text style={[styles.strong, { color: colors.primary }]}>
              {t('price.perSeason', { price: f.money(plot.pricePerSeasonCents, plot.currency) })}
            </Text>
          </View>
          <Text style={styles.muted}>
            {f.number(plot.areaM2, 0)} m² · {plot.soil} · {t(`enums.sunExposure.${plot.sunExposure}`)}
            {distanceKm != null ? ` · ${t('explore.distance', { km: f.number(distanceKm) })}` : ''}
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
function FarmMap({
  farms,
  selected,
  onSelect,
}: {
  farms: MapFarm[];
  selected: string | null;
  onSelect: (id: string | null) => void;
}) {
  const { t } = useTranslation();
  const { colors } = useTheme();
  const lats = farms.map((f) => f.location.latitude);
  const lngs = farms.map((f) => f.location.longitude);
  const [minLat, maxLat, minLng, maxLng] = [Math.min(...lats), Math.max(...lats), Math.min(...lngs), Math.max(...lngs)];
  const spanLat = Math.max(maxLat - minLat, 0.01);
  const spanLng = Math.max(maxLng - minLng, 0.01);
  return (
    <View
      testID="farm-map"
      style={{
        height: 260,
        borderRadius: 12,
        backgroundColor: colors.map,
        borderWidth: 1,
        borderColor: colors.border,
        overflow: 'hidden',
        marginBottom: space(3),
      }}
    >
      {[0.25, 0.5, 0.75].map((p) => (
        <View
          key={`h${p}`}
          style={{
            position: 'absolute',
            left: 0,
            right: 0,
            top: `${p * 100}%`,
            height: 1,
            backgroundColor: colors.mapLine,
          }}
        />
      ))}
      {[0.25, 0.5, 0.75].map((p) => (
        <View
          key={`v${p}`}
          style={{
            position: 'absolute',
            top: 0,
            bottom: 0,
            left: `${p * 100}%`,
            width: 1,
            backgroundColor: colors.mapLine,
          }}
        />
      ))}
      {farms.map((f) => {
        const x = 4 + ((f.location.longitude - minLng) / spanLng) * 60;
        const y = 8 + ((maxLat - f.location.latitude) / spanLat) * 72;
        const free = f.plots.filter((p) => p.status === 'AVAILABLE').length;
        const active = selected === f.id;
        const tone = active ? colors.accent : colors.primary;
        return (
          <Pressable
            key={f.id}
            testID={`pin-${f.id}`}
            accessibilityRole="button"
            accessibilityLabel={t('explore.pin', { name: f.name, count: free })}
            accessibilityState={{ selected: active }}
            onPress={() => onSelect(active ? null : f.id)}
            hitSlop={10}
            style={{
              position: 'absolute',
              left: `${x}%`,
              top: `${y}%`,
              flexDirection: 'row',
              alignItems: 'center',
              gap: 4,
              minHeight: 44,
            }}
          >
            <View
              style={{
                width: 14,
                height: 14,
                borderRadius: 7,
                borderWidth: 2,
                borderColor: colors.card,
                backgroundColor: tone,
              }}
            />
            <View style={{ backgroundColor: tone, borderRadius: 6, paddingHorizontal: 6, paddingVertical: 2 }}>
              <Text
                numberOfLines={1}
                style={{ color: active ? colors.card : colors.primaryText, fontWeight: '700', fontSize: 12 }}
              >
                {f.name} · {t('explore.free', { count: free })}
              </Text>
            </View>
          </Pressable>
        );
      })}
    </View>
  );
}

export function ExploreScreen() {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const [view, setView] = useState<'list' | 'map'>('list');
  const [farmId, setFarmId] = useState<string | null>(null);
  const farms = useQuery(FarmsMapDocument, { variables: { first: 50 }, skip: view !== 'map' });
  const plots = usePlots(view === 'map' ? farmId : null);
  const farmList = farms.data?.farms.edges.map((e) => e.node) ?? [];
  return (
    <Screen
      title={t('explore.title')}
      testID="explore-screen"
      onRefresh={() => Promise.all([plots.refetch(), view === 'map' ? farms.refetch() : null])}
    >
      <View style={{ marginBottom: space(3) }}>
        <Segmented
          testID="view"
          value={view}
          onChange={setView}
          options={[
            { value: 'list', label: t('explore.list') },
            { value: 'map', label: t('explore.map') },
          ]}
        />
      </View>
      {view === 'map' ? (
        farms.loading && !farms.data ? (
          <Loading label={t('explore.loadingFarms')} />
        ) : farms.error && !farms.data ? (
          <ErrorView error={farms.error} onRetry={() => void farms.refetch()} />
        ) : farmList.length === 0 ? (
          <Empty text={t('explore.noFarms')} />
        ) : (
          <>
            <FarmMap farms={farmList} selected={farmId} onSelect={setFarmId} />
            {farmId ? (
              <Pill text={t('explore.showingOne')} />
            ) : (
              <Text style={styles.muted}>{t('explore.tapFarm')}</Text>
            )}
          </>
        )
      ) : null}
      <View style={{ marginTop: space(3) }}>
        <PlotList plots={plots} />
      </View>
    </Screen>
  );
}
