import { useMutation, useQuery } from '@apollo/client/react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useTimeAgo } from '../app-context';
import { MarkNotificationsReadDocument, NotificationsDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { routeFromUrl } from '../nav/routes';
import { setUnreadCount } from '../notifications-cache';
import { Button, Card, Empty, ErrorView, Loading, LoadMore, Screen } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';

export function NotificationsScreen() {
  const nav = useNav();
  const ago = useTimeAgo();
  const { t } = useTranslation();
  const { styles, colors } = useTheme();
  const { data, loading, error, refetch, fetchMore } = useQuery(NotificationsDocument, { variables: { first: 20 } });
  const [markRead, markState] = useMutation(MarkNotificationsReadDocument, {
    update: (cache, result) => {
      if (result.data) setUnreadCount(cache, result.data.markNotificationsRead.unreadCount);
    },
  });
  const items = data?.notifications.edges ?? [];
  const unread = data?.notifications.unreadCount ?? 0;
  const mark = async (ids: string[] | null) => {
    await markRead({ variables: { input: ids ? { ids } : { all: true } } }).catch(() => undefined);
    await refetch();
  };
  return (
    <Screen title={t('notifications.title')} testID="notifications-screen" onRefresh={() => refetch()}>
      {unread > 0 ? (
        <Button
          testID="mark-all-read"
          title={t('notifications.markAll', { count: unread })}
          kind="secondary"
          disabled={markState.loading}
          onPress={() => void mark(null)}
        />
      ) : null}
      {!data && loading ? <Loading /> : null}
      {error && !data ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {data && items.length === 0 ? <Empty text={t('notifications.none')} /> : null}
      {items.map(({ node: n }) => {
        const target = n.link ? routeFromUrl(n.link) : null;
        return (
          <Card
            key={n.id}
            testID={`notification-${n.id}`}
            onPress={() => {
              if (!n.read) void mark([n.id]);
              if (target) nav.push(target);
            }}
            style={n.read ? undefined : { borderColor: colors.primary, borderWidth: 2 }}
          >
            <View style={styles.between}>
              <Text style={[styles.strong, { flexShrink: 1 }, n.read && { fontWeight: '400' }]}>{n.title}</Text>
              <Text style={styles.muted}>{ago(n.createdAt)}</Text>
            </View>
            <Text style={[styles.text, { marginTop: space(1) }]}>{n.body}</Text>
          </Card>
        );
      })}
      <LoadMore
        hasMore={data?.notifications.pageInfo.hasNextPage ?? false}
        loading={loading}
        onPress={() => void fetchMore({ variables: { after: data?.notifications.pageInfo.endCursor } })}
      />
    </Screen>
  );
}
