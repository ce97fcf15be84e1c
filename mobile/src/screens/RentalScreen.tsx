import { useQuery, useSubscription } from '@apollo/client/react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useConnection } from '../apollo/use-connection';
import { useFormat, useTimeAgo } from '../app-context';
import type { ActivityFieldsFragment } from '../gql/graphql';
import {
  ActivityFields,
  CameraTimelapsesDocument,
  OnPlotActivityDocument,
  PlotActivityDocument,
  PlotCamerasDocument,
  RentalDetailDocument,
} from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, Empty, ErrorView, Loading, LoadMore, Pill, Screen, Section } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import { rentalTone, taskTone } from './labels';

interface ActivityConnection {
  edges?: { __typename?: string; cursor: string; node: { __ref: string } }[];
  [key: string]: unknown;
}

/** "Live" only while the subscription's connection is up; otherwise an honest "paused". */
function LiveLabel({ failed }: { failed: boolean }) {
  const status = useConnection();
  const { t } = useTranslation();
  const { styles, colors } = useTheme();
  const live = status === 'online' && !failed;
  return (
    <View style={[styles.row, { marginBottom: space(2) }]}>
      <View style={{ width: 8, height: 8, borderRadius: 4, backgroundColor: live ? colors.live : colors.muted }} />
      <Text style={styles.muted} testID="activity-live" accessibilityLiveRegion="polite">
        {live ? t('connection.live') : t('connection.paused')}
      </Text>
    </View>
  );
}

/** The plot's activity feed: first page by query, then every new entry by the plotActivity subscription. */
function ActivityFeed({ plotId, onEvent }: { plotId: string; onEvent: (event: ActivityFieldsFragment) => void }) {
  const { t } = useTranslation();
  const { styles } = useTheme();
  const ago = useTimeAgo();
  const { data, loading, error, refetch, fetchMore } = useQuery(PlotActivityDocument, {
    variables: { plotId, first: 10 },
  });
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
              return {
                ...existing,
                edges: [{ __typename: 'ActivityEventEdge', cursor: event.cursor, node: ref }, ...edges],
              };
            },
          },
        });
      }
      onEvent(event);
    },
  });
  const entries = data?.plot?.activity.edges ?? [];
  return (
    <Section title={t('rental.activity')} testID="activity-feed">
      <LiveLabel failed={!!live.error} />
      {!data && loading ? <Loading /> : null}
      {error && !data ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {data && entries.length === 0 ? <Empty text={t('rental.noActivity')} testID="activity-empty" /> : null}
      {entries.map(({ node }) => (
        <Card key={node.id} testID={`activity-${node.kind}`}>
          <Text style={styles.strong}>{t(`enums.activityKind.${node.kind}`)}</Text>
          <Text style={styles.text}>{node.message}</Text>
          <Text style={styles.muted}>{ago(node.createdAt)}</Text>
        </Card>
      ))}
      <LoadMore
        hasMore={data?.plot?.activity.pageInfo.hasNextPage ?? false}
        loading={loading}
        onPress={() => void fetchMore({ variables: { after: data?.plot?.activity.pageInfo.endCursor } })}
      />
    </Section>
  );
}

function Timelapses({ cameraId }: { cameraId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { styles } = useTheme();
  const { data, error } = useQuery(CameraTimelapsesDocument, { variables: { cameraId } });
  if (error && !data) return <Text style={styles.muted}>{t('rental.timelapsesUnavailable')}</Text>;
  const list = data?.timelapses ?? [];
  if (data && list.length === 0) return <Text style={styles.muted}>{t('rental.noTimelapse')}</Text>;
  return (
    <View style={[styles.row, { flexWrap: 'wrap' }]} testID="timelapses">
      {list.map((tl) => (
        <Pill
          key={tl.id}
          text={t('rental.timelapse', { date: f.date(tl.day), duration: f.duration(tl.durationSeconds) })}
        />
      ))}
    </View>
  );
}

function Cameras({ plotId }: { plotId: string }) {
  const nav = useNav();
  const { t } = useTranslation();
  const { styles } = useTheme();
  const { data, loading, error, refetch } = useQuery(PlotCamerasDocument, { variables: { plotId } });
  const cameras = data?.plot?.cameras ?? [];
  return (
    <Section title={t('rental.cameras')} testID="cameras">
      {!data && loading ? <Loading /> : null}
      {error && !data ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {data && cameras.length === 0 ? <Empty text={t('rental.noCamera')} /> : null}
      {cameras.map((c) => (
        <Card key={c.id} testID={`camera-${c.id}`}>
          <View style={styles.between}>
            <Text style={styles.strong}>{c.name}</Text>
            <Pill
              text={t(`enums.streamStatus.${c.stream.status}`)}
              tone={c.stream.status === 'LIVE' ? 'live' : 'muted'}
            />
          </View>
          <Button
            testID={`watch-${c.id}`}
            title={t('rental.watch')}
            onPress={() => nav.push({ name: 'camera', cameraId: c.id })}
          />
          <Timelapses cameraId={c.id} />
        </Card>
      ))}
    </Section>
  );
}

export function RentalScreen({ rentalId }: { rentalId: string }) {
  const nav = useNav();
  const f = useFormat();
  const ago = useTimeAgo();
  const { t } = useTranslation();
  const { styles } = useTheme();
  const { data, loading, error, refetch, startPolling, stopPolling } = useQuery(RentalDetailDocument, {
    variables: { id: rentalId },
  });
  const rental = data?.rental;
  // While the farm has not confirmed, look again every few seconds: confirmation opens the plan, cameras and feed.
  useEffect(() => {
    if (rental?.status === 'REQUESTED') startPolling(4000);
    else stopPolling();
    return stopPolling;
  }, [rental?.status, startPolling, stopPolling]);

  if (!data && loading) return <Loading />;
  if (!rental)
    return (
      <Screen onRefresh={() => refetch()}>
        {error ? <ErrorView error={error} onRetry={() => void refetch()} /> : <Empty text={t('rental.notFound')} />}
      </Screen>
    );
  const tasks = rental.tasks.edges.map((e) => e.node);
  const confirmed = rental.status === 'ACTIVE' || rental.status === 'ENDED';

  return (
    <Screen title={`${rental.plot.farm.name} · ${rental.plot.code}`} testID="rental-screen" onRefresh={() => refetch()}>
      <Card>
        <View style={styles.between}>
          <Text style={[styles.text, { flexShrink: 1 }]}>
            {f.date(rental.startsOn)} → {f.date(rental.endsOn)}
          </Text>
          <Pill
            text={t(`enums.rentalStatus.${rental.status}`)}
            tone={rentalTone(rental.status)}
            testID="rental-status"
          />
        </View>
        <Text style={styles.muted}>
          {f.number(rental.plot.areaM2, 0)} m² ·{' '}
          {t('price.total', { price: f.money(rental.priceCents, rental.currency) })}
        </Text>
        {rental.status === 'REQUESTED' ? (
          <Text style={[styles.muted, { marginTop: space(2) }]}>{t('rental.waiting')}</Text>
        ) : null}
      </Card>

      <Section title={t('rental.plan')} testID="plan">
        {rental.plan ? (
          <Card>
            {rental.plan.items.map((item) => (
              <View key={item.crop.id} style={{ marginBottom: space(2) }}>
                <Text style={styles.text}>
                  {t('rental.share', {
                    name: item.crop.name,
                    variety: item.crop.variety,
                    percent: f.percent(item.share),
                  })}
                </Text>
                <Text style={styles.muted}>
                  {t('rental.plants', { count: item.plantCount, date: f.date(item.harvestOn) })}
                </Text>
              </View>
            ))}
            {rental.plan.notes ? <Text style={styles.muted}>{rental.plan.notes}</Text> : null}
          </Card>
        ) : (
          <Empty text={t('rental.noCrops')} />
        )}
        <Button
          testID="plan-crops"
          title={rental.plan ? t('rental.changeCrops') : t('rental.planCrops')}
          kind="secondary"
          disabled={rental.status === 'ENDED' || rental.status === 'CANCELLED'}
          onPress={() => nav.push({ name: 'plan', rentalId })}
        />
      </Section>

      <Section title={t('rental.tasks')} testID="tasks">
        {tasks.length === 0 ? <Empty text={t('rental.noTasks')} /> : null}
        {tasks.map((task) => (
          <Card key={task.id} testID={`task-${task.id}`}>
            <View style={styles.between}>
              <Text style={[styles.text, { flexShrink: 1 }]}>
                <Text style={styles.muted}>{t(`enums.taskKind.${task.kind}`)} · </Text>
                {task.title}
              </Text>
              <Pill
                testID={`task-status-${task.id}`}
                text={t(`enums.taskStatus.${task.status}`)}
                tone={taskTone(task.status)}
              />
            </View>
            <Text style={styles.muted}>
              {task.status === 'DONE' && task.completedAt
                ? t('rental.done', { date: f.date(task.completedAt) })
                : t('rental.due', { date: f.date(task.dueOn) })}
              {task.notes ? ` · ${task.notes}` : ''}
            </Text>
          </Card>
        ))}
      </Section>

      <Section title={t('rental.harvests')} testID="harvests">
        {rental.harvests.edges.length === 0 ? <Empty text={t('rental.noHarvest')} /> : null}
        {rental.harvests.edges.map(({ node: h }) => (
          <Card key={h.id}>
            <Text style={styles.text}>
              {t('rental.harvestLine', { weight: f.kg(h.weightKg), crop: h.crop.name, date: f.date(h.harvestedOn) })}
            </Text>
            {h.delivery ? (
              <Text style={styles.muted}>
                {t('rental.deliveryStatus', { status: t(`enums.deliveryStatus.${h.delivery.status}`) })}
              </Text>
            ) : null}
          </Card>
        ))}
      </Section>

      <Section title={t('rental.deliveries')} testID="deliveries">
        {rental.deliveries.edges.length === 0 ? <Empty text={t('rental.noDelivery')} /> : null}
        {rental.deliveries.edges.map(({ node: d }) => (
          <Card key={d.id}>
            <View style={styles.between}>
              <Text style={[styles.text, { flexShrink: 1 }]}>{d.addressText}</Text>
              <Pill text={t(`enums.deliveryStatus.${d.status}`)} />
            </View>
            <Text style={styles.muted}>
              {d.scheduledFor
                ? t('rental.scheduled', { date: f.date(d.scheduledFor) })
                : t('rental.updated', { ago: ago(d.updatedAt) })}
              {d.note ? ` · ${d.note}` : ''}
            </Text>
          </Card>
        ))}
      </Section>

      {confirmed ? (
        <>
          <Cameras plotId={rental.plot.id} />
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
