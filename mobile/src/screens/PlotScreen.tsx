import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useApp, useFormat } from '../app-context';
import { addDays, isoDay } from '../dates';
import { MyRentalsDocument, PlotDetailDocument, RequestRentalDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, Empty, ErrorView, Loading, Pill, Screen, Section } from '../ui/components';
import { DateField } from '../ui/DateField';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';

export function PlotScreen({ plotId }: { plotId: string }) {
  const nav = useNav();
  const { push } = useApp();
  const f = useFormat();
  const { t } = useTranslation();
  const { styles, colors } = useTheme();
  const { data, loading, error, refetch } = useQuery(PlotDetailDocument, { variables: { id: plotId } });
  const today = isoDay(new Date());
  const [startsOn, setStartsOn] = useState(today);
  const [endsOn, setEndsOn] = useState(addDays(today, 182));
  const [problem, setProblem] = useState<string | null>(null);
  const [rent, rentState] = useMutation(RequestRentalDocument, { refetchQueries: [MyRentalsDocument] });

  if (!data && loading) return <Loading />;
  if (!data?.plot)
    return (
      <Screen onRefresh={() => refetch()}>
        {error ? <ErrorView error={error} onRetry={() => void refetch()} /> : <Empty text={t('plot.notFound')} />}
      </Screen>
    );
  const plot = data.plot;
  const season = plot.farm.openingSeason;

  const submit = async () => {
    setProblem(null);
    if (endsOn <= startsOn) return setProblem(t('plot.endAfterStart'));
    try {
      const result = await rent({ variables: { plotId, startsOn, endsOn } });
      const rental = result.data?.requestRental;
      if (rental) {
        nav.push({ name: 'rental', rentalId: rental.id });
        // The moment a customer wants to hear back (the farm's confirmation): ask for notifications now, once.
        void push.enable().catch(() => undefined);
      }
    } catch {
      // shown from rentState.error
    }
  };

  return (
    <Screen title={`${plot.farm.name} · ${plot.code}`} testID="plot-screen" onRefresh={() => refetch()}>
      <Card>
        <View style={styles.between}>
          <Text style={[styles.strong, { fontSize: 22, color: colors.primary, flexShrink: 1 }]}>
            {t('price.perSeason', { price: f.money(plot.pricePerSeasonCents, plot.currency) })}
          </Text>
          <Pill
            text={t(`enums.plotStatus.${plot.status}`)}
            tone={plot.status === 'AVAILABLE' ? 'primary' : 'muted'}
            testID="plot-status"
          />
        </View>
        <Text style={styles.text}>
          {t('plot.summary', {
            area: f.number(plot.areaM2, 0),
            soil: plot.soil,
            sun: t(`enums.sunExposure.${plot.sunExposure}`),
          })}
        </Text>
        <Text style={styles.muted}>{plot.farm.locality}</Text>
        <Text style={[styles.muted, { marginTop: space(2) }]}>
          {t('plot.season', { from: f.month(season.startMonth), to: f.month(season.endMonth) })}
        </Text>
        <Text style={[styles.text, { marginTop: space(2) }]}>{plot.farm.description}</Text>
      </Card>
      <Section title={t('plot.rentTitle')}>
        <Card>
          <DateField testID="starts-on" label={t('plot.from')} value={startsOn} min={today} onChange={setStartsOn} />
          <DateField
            testID="ends-on"
            label={t('plot.until')}
            value={endsOn}
            min={addDays(startsOn, 1)}
            max={addDays(startsOn, 366)}
            onChange={setEndsOn}
          />
          {problem ? <Text style={styles.errorText}>{problem}</Text> : null}
          {rentState.error ? <ErrorView error={rentState.error} /> : null}
          <Button
            testID="rent"
            title={rentState.loading ? t('plot.sending') : t('plot.rent')}
            disabled={rentState.loading || plot.status === 'FALLOW'}
            onPress={() => void submit()}
          />
          <Text style={styles.muted}>{t('plot.hint')}</Text>
        </Card>
      </Section>
    </Screen>
  );
}
