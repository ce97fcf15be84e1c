import { useMutation, useQuery } from '@apollo/client';
import { Text, View } from 'react-native';
import { timeAgo } from '../dates';
import { MarkNotificationsReadDocument, NotificationsDocument } from '../graphql/operations';
import { setUnreadCount } from '../notifications-cache';
import { Button, Card, Empty, ErrorView, Loading, LoadMore, Screen, styles } from '../ui/components';
import { colors, space } from '../ui/theme';

export function NotificationsScreen() {
  const { data, loading, error, refetch, fetchMore } = useQuery(NotificationsDocument, { variables: { first: 20 }, notifyOnNetworkStatusChange: true });
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
    <Screen title="Notifications" testID="notifications-screen">
      {unread > 0 ? <Button testID="mark-all-read" title={`Mark all ${unread} as read`} kind="secondary" disabled={markState.loading} onPress={() => void mark(null)} /> : null}
      {!data && loading ? <Loading /> : null}
      {error && !data ? <ErrorView error={error} onRetry={() => void refetch()} /> : null}
      {data && items.length === 0 ? <Empty text="No notifications yet." /> : null}
      {items.map(({ node: n }) => (
        <Card key={n.id} testID={`notification-${n.id}`} onPress={n.read ? undefined : () => void mark([n.id])} style={n.read ? undefined : { borderColor: colors.primary }}>
          <View style={styles.between}>
            <Text style={[styles.strong, n.read && { fontWeight: '400' }]}>{n.title}</Text>
            <Text style={styles.muted}>{timeAgo(n.createdAt)}</Text>
          </View>
          <Text style={[styles.text, { marginTop: space(1) }]}>{n.body}</Text>
        </Card>
      ))}
      <LoadMore hasMore={data?.notifications.pageInfo.hasNextPage ?? false} loading={loading} onPress={() => void fetchMore({ variables: { after: data?.notifications.pageInfo.endCursor } })} />
    </Screen>
  );
}
