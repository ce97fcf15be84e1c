import { useQuery, useSubscription } from '@apollo/client';
import { useEffect } from 'react';
import { Text, View } from 'react-native';
import { shortDate, timeAgo } from '../dates';
import type { ActivityFieldsFragment } from '../gql/graphql';
import { ActivityFields, CameraTimelapsesDocument, OnPlotActivityDocument, PlotActivityDocument, PlotCamerasDocument, RentalDetailDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, Empty, ErrorView, Loading, LoadMore, Pill, Screen, Section, money, styles } from '../ui/components';
import { colors, space } from '../ui/theme';
import { rentalColor } from './RentalsScreen';

const taskLabel: Record<string, string> = { SOW: 'Sow', WATER: 'Water', WEED: 'Weed', FERTILISE: 'Fertilise', HARVEST: 'Harvest', OTHER: 'Task' };

interface ActivityConnection {
  edges?: { __typename?: string; cursor: string; node: { __ref: string } }[];
  [key: string]: unknown;
}

/** The plot's activity feed: first page by query, then every new entry by the plotActivity subscription. */
function ActivityFeed({ plotId, onEvent }: { plotId: string; onEvent: (event: ActivityFieldsFragment) => void }) {
  const { data, loading, error, refetch, fetchMore } = useQuery(PlotActivityDocument, { variables: { plotId, first: 10 }, notifyOnNetworkStatusChange: true });
  const live = useSubscription(OnPlotActivityDocument, {
    variables: { plotId },
    onData: ({ client, data: incoming }) => {
      const event = incoming.data?.plotActivity;
      if (!event) return;
      const ref = client.cache.writeFragment({ fragment: ActivityFields, data: event });
      if (ref) {
        client.cache.modify({
          id: client.cache.identify({ __typename: 'Plot', id: plotId }),
          fields: {
            activity(value: unknown) {
              const existing = (value ?? {}) as ActivityConnection;
              const edges = existing.edges ?? [];
              if (edges.some((e) => e.node.__ref === ref.__ref)) return existing;
              return { ...existing, edges: [{ __typename: 'ActivityEventEdge', cursor: '', node: ref }, ...edges] };
            },
          },
        });
      }
      onEvent(event);
    },
  });
  const entries = data?.plot?.activity.edges ?? [];
  return (
    <Section title="Activity" testID="activity-feed">
      <View style={[styles.row, { marginBottom: space(2) }]}>
        <View style={{ width: 8, height: 8, borderRadius: 4, backgroundColor: live.error ? colors.muted : colors.live }} />
        <Text style={styles.muted} testID="activity-live">{live.error ? 'Live updates paused' : 'Live'}</Text>
      </View>
      {!data && loading ? <Loading /> : null}
      {error && !data ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {data && entries.length === 0 ? <Empty text="Nothing has happened on this plot yet." testID="activity-empty" /> : null}
      {entries.map(({ node }) => (
        <Card key={node.id} testID={`activity-${node.kind}`}>
          <Text style={styles.text}>{node.message}</Text>
          <Text style={styles.muted}>{timeAgo(node.createdAt)}</Text>
        </Card>
      ))}
      <LoadMore hasMore={data?.plot?.activity.pageInfo.hasNextPage ?? false} loading={loading} onPress={() => void fetchMore({ variables: { after: data?.plot?.activity.pageInfo.endCursor } })} />
    </Section>
  );
}

function Timelapses({ cameraId }: { cameraId: string }) {
  const { data, error } = useQuery(CameraTimelapsesDocument, { variables: { cameraId } });
  if (error && !data) return <Text style={styles.muted}>Timelapses are unavailable right now.</Text>;
  const list = data?.timelapses ?? [];
  if (data && list.length === 0) return <Text style={styles.muted}>No timelapse yet: the first one is made after a full day.</Text>;
  return (
    <View style={[styles.row, { flexWrap: 'wrap' }]} testID="timelapses">
      {list.map((t) => (
        <Pill key={t.id} text={`Timelapse ${shortDate(t.day)} · ${Math.round(t.durationSeconds)} s`} />
      ))}
    </View>
  );
}

function Cameras({ plotId, plotCode }: { plotId: string; plotCode: string }) {
  const nav = useNav();
  const { data, loading, error, refetch } = useQuery(PlotCamerasDocument, { variables: { plotId } });
  const cameras = data?.plot?.cameras ?? [];
  return (
    <Section title="Cameras" testID="cameras">
      {!data && loading ? <Loading /> : null}
      {error && !data ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {data && cameras.length === 0 ? <Empty text="No camera watches this plot yet." /> : null}
      {cameras.map((c) => (
        <Card key={c.id} testID={`camera-${c.id}`}>
          <View style={styles.between}>
            <Text style={styles.strong}>{c.name}</Text>
            <Pill text={c.stream.status} color={c.stream.status === 'LIVE' ? colors.live : colors.muted} />
          </View>
          <Button testID={`watch-${c.id}`} title="Watch live" onPress={() => nav.push({ name: 'camera', cameraId: c.id, plotCode })} />
          <Timelapses cameraId={c.id} />
        </Card>
      ))}
    </Section>
  );
}

export function RentalScreen({ rentalId }: { rentalId: string }) {
  const nav = useNav();
  const { data, loading, error, refetch, startPolling, stopPolling } = useQuery(RentalDetailDocument, { variables: { id: rentalId } });
  const rental = data?.rental;
  // While the farm has not confirmed, look again every few seconds: confirmation opens the plan, cameras and feed.
  useEffect(() => {
    if (rental?.status === 'REQUESTED') startPolling(4000);
    else stopPolling();
    return stopPolling;
  }, [rental?.status, startPolling, stopPolling]);

  if (!data && loading) return <Loading />;
  if (!rental) return <Screen>{error ? <ErrorView error={error} onRetry={() => void refetch()} /> : <Empty text="This rental does not exist." />}</Screen>;
  const tasks = rental.tasks.edges.map((e) => e.node);
  const confirmed = rental.status === 'ACTIVE' || rental.status === 'ENDED';

  return (
    <Screen title={`${rental.plot.farm.name} · ${rental.plot.code}`} testID="rental-screen">
      <Card>
        <View style={styles.between}>
          <Text style={styles.text}>
            {shortDate(rental.startsOn)} → {shortDate(rental.endsOn)}
          </Text>
          <Pill text={rental.status} color={rentalColor(rental.status)} testID="rental-status" />
        </View>
        <Text style={styles.muted}>
          {rental.plot.areaM2} m² · {money(rental.priceCents, rental.currency)}
        </Text>
        {rental.status === 'REQUESTED' ? <Text style={[styles.muted, { marginTop: space(2) }]}>Waiting for the farm to confirm your rental…</Text> : null}
      </Card>

      <Section title="Planting plan" testID="plan">
        {rental.plan ? (
          <Card>
            {rental.plan.items.map((item) => (
              <View key={item.crop.id} style={[styles.between, { marginBottom: space(1) }]}>
                <Text style={styles.text}>
                  {item.crop.name} ({item.crop.variety}) · {Math.round(item.share * 100)}%
                </Text>
                <Text style={styles.muted}>
                  ~{item.plantCount} plants · harvest {shortDate(item.harvestOn)}
                </Text>
              </View>
            ))}
            {rental.plan.notes ? <Text style={styles.muted}>{rental.plan.notes}</Text> : null}
          </Card>
        ) : (
          <Empty text="No crops chosen yet." />
        )}
        <Button testID="plan-crops" title={rental.plan ? 'Change my crops' : 'Plan my crops'} kind="secondary" disabled={rental.status === 'ENDED' || rental.status === 'CANCELLED'} onPress={() => nav.push({ name: 'plan', rentalId })} />
      </Section>

      <Section title="Tasks" testID="tasks">
        {tasks.length === 0 ? <Empty text="The farm has not scheduled work yet." /> : null}
        {tasks.map((t) => (
          <Card key={t.id} testID={`task-${t.id}`}>
            <View style={styles.between}>
              <Text style={styles.text}>
                <Text style={styles.muted}>{taskLabel[t.kind] ?? 'Task'} · </Text>
                {t.title}
              </Text>
              <Pill testID={`task-status-${t.id}`} text={t.status === 'DONE' ? '✓ DONE' : t.status} color={t.status === 'DONE' ? colors.primary : t.status === 'SKIPPED' ? colors.muted : colors.accent} />
            </View>
            <Text style={styles.muted}>
              {t.status === 'DONE' && t.completedAt ? `Done ${shortDate(t.completedAt)}` : `Due ${shortDate(t.dueOn)}`}
              {t.notes ? ` · ${t.notes}` : ''}
            </Text>
          </Card>
        ))}
      </Section>

      <Section title="Harvests" testID="harvests">
        {rental.harvests.edges.length === 0 ? <Empty text="No harvest yet." /> : null}
        {rental.harvests.edges.map(({ node: h }) => (
          <Card key={h.id}>
            <Text style={styles.text}>
              {h.weightKg} kg of {h.crop.name} · {shortDate(h.harvestedOn)}
            </Text>
            {h.delivery ? <Text style={styles.muted}>Delivery: {h.delivery.status.replaceAll('_', ' ').toLowerCase()}</Text> : null}
          </Card>
        ))}
      </Section>

      <Section title="Deliveries" testID="deliveries">
        {rental.deliveries.edges.length === 0 ? <Empty text="No delivery yet." /> : null}
        {rental.deliveries.edges.map(({ node: d }) => (
          <Card key={d.id}>
            <View style={styles.between}>
              <Text style={styles.text}>{d.addressText}</Text>
              <Pill text={d.status.replaceAll('_', ' ')} />
            </View>
            <Text style={styles.muted}>{d.scheduledFor ? `Scheduled ${shortDate(d.scheduledFor)}` : `Updated ${timeAgo(d.updatedAt)}`}{d.note ? ` · ${d.note}` : ''}</Text>
          </Card>
        ))}
      </Section>

      {confirmed ? (
        <>
          <Cameras plotId={rental.plot.id} plotCode={rental.plot.code} />
          <ActivityFeed
            plotId={rental.plot.id}
            onEvent={(event) => {
              // Activity about tasks, harvests, deliveries or the plan: bring those lists up to date too.
              if (event.kind !== 'ANIMAL_UPDATE') void refetch();
            }}
          />
        </>
      ) : null}
    </Screen>
  );
}
